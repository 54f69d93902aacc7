"""Week 1's judges: how each case's result is compared with its expected values.

The expected values come from outside (the grader's reference code, or the values recorded
when the assignment was released); nothing here computes them.
"""

from __future__ import annotations

from . import checks
from .spec import Failure


def split(outcome, length, step, expected):
    what = f"train_val_split with {length} steps split at {step}"
    parts = checks.sequence(what, outcome, 4)
    names = ("time_train", "series_train", "time_valid", "series_valid")
    for name, part, value in zip(names, parts, expected, strict=True):
        got = checks.array(f"{what}: {name}", checks.as_outcome(part), length=len(value))
        checks.close(f"{what}: {name}", got, value)


def metrics(outcome, length, expected):
    what = f"compute_metrics on {length} values"
    parts = checks.sequence(what, outcome, 2)
    for name, part, value in zip(("mse", "mae"), parts, expected, strict=True):
        got = checks.number(f"{what}: {name}", checks.as_outcome(part))
        checks.close(f"{what}: {name}", got, value, rtol=1e-5, label=name)


def naive(outcome, length, split, expected):
    what = f"naive_forecast on {length} steps split at {split}"
    got = checks.array(what, outcome, length=len(expected))
    checks.close(what, got, expected)


def moving_average(outcome, length, window, expected):
    what = f"moving_average_forecast of {length} values with window {window}"
    got = checks.array(what, outcome, length=len(expected))
    checks.close(what, got, expected, atol=1e-4, rtol=1e-5)


def difference(outcome, length, lag, expected):
    what = f"seasonal_difference of {length} values at lag {lag}"
    got = checks.array(what, outcome, length=len(expected))
    checks.close(what, got, expected, atol=1e-4)


def diff_plus_past(outcome, split, lag, window, expected):
    what = f"diff_plus_past_forecast(split={split}, lag={lag}, window_size={window})"
    got = checks.array(what, outcome, length=len(expected))
    checks.close(what, got, expected, atol=1e-3, rtol=1e-4)


def diff_plus_smoothed_past(outcome, split, lag, window, smoothing, expected):
    what = (
        f"diff_plus_smoothed_past_forecast(split={split}, lag={lag}, "
        f"window_size={window}, smoothing_window={smoothing})"
    )
    got = checks.array(what, outcome, length=len(expected))
    checks.close(what, got, expected, atol=1e-3, rtol=1e-4)


def threshold(outcome, truth, naive_mae, mae_threshold):
    """The final forecast's MAE: below the naive forecast's and at most the threshold."""
    what = "MAE of your smoothed forecast on the validation period"
    forecast = checks.array(what, outcome, length=len(truth))
    mae = checks.mae(truth, forecast)
    if not mae < naive_mae:
        raise Failure(what, f"lower than the naive forecast's MAE {naive_mae:.2f}", f"{mae:.2f}")
    return checks.at_most(what, "mae", mae, mae_threshold)
