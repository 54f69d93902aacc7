"""Week 5's judges: parsing HadCET, filling gaps, normalising; the dataset, model and model_forecast
judges are the shared ones of `windowed`. Expected values come from outside."""

from __future__ import annotations

import numpy as np

from . import checks
from .spec import Failure
from .windowed import dataset, forecast_model, model_forecast, model_judges  # noqa: F401 (judges of week 5)

MISSING = -999


# --- exercise 1: parse_data_from_file --------------------------------------------------------


def parse(outcome, source, expected, years):
    what = f"parse_data_from_file({source})"
    got = checks.array(what, outcome)
    if got.ndim != 1:
        raise Failure(what, "a 1-D numpy array of temperatures", f"shape {got.shape}")
    if len(got) != len(expected):
        hint = ""
        if len(got) == 31 * 12 * years:
            hint = " (skip the days that do not exist, such as 30 February)"
        elif len(got) < len(expected):
            hint = " (keep a day whose value is -999 as np.nan: only days that do not exist are skipped)"
        raise Failure(
            what, f"{len(expected)} values, one per calendar day of the {years} years", f"{len(got)}{hint}"
        )
    gaps, got_gaps = np.isnan(expected), np.isnan(got)
    if np.any(got == MISSING) or np.any(got == MISSING / 10):
        raise Failure(what, "np.nan where the file says -999", "-999 left in the values")
    if not np.array_equal(gaps, got_gaps):
        index = int(np.flatnonzero(gaps != got_gaps)[0])
        shown = "NaN" if gaps[index] else f"{expected[index]:.6g}"
        raise Failure(what, f"{shown} at index {index} (day {index + 1} of the series)", f"{got[index]:.6g}")
    known = ~gaps
    if np.allclose(got[known], expected[known] * 10):
        raise Failure(what, "temperatures in degrees", "tenths of a degree (divide each value by 10)")
    order_hint = "values in date order: 1 to 31 January, then February, ..."
    if not np.allclose(got[known][:31], expected[known][:31], atol=1e-6):
        raise Failure(what, order_hint, f"first values {np.round(got[:4], 1).tolist()}")
    checks.close(what, got[known], expected[known], atol=1e-6, label="temperature")


# --- exercise 2: fill_missing -----------------------------------------------------------------


def fill(outcome, length, missing, expected):
    what = f"fill_missing(a series of {length} values, {missing} of them NaN)"
    got = checks.array(what, outcome)
    if got.ndim != 1 or len(got) != len(expected):
        hint = " (drop only the NaN values at the end)" if got.ndim == 1 and len(got) < len(expected) else ""
        raise Failure(
            what,
            f"{len(expected)} values (the trailing NaN values dropped)",
            f"shape {got.shape}{hint}",
        )
    if np.isnan(got).any():
        raise Failure(what, "no NaN values", f"{int(np.isnan(got).sum())} NaN values")
    checks.close(what, got, expected, atol=1e-6, label="value")


# --- exercise 3: normalise --------------------------------------------------------------------


def normalise(outcome, length, split_time, expected, mean, std, whole_mean, whole_std):
    """`whole_mean` and `whole_std` are the statistics of the whole series: a common mistake."""
    what = f"normalise(a series of {length} values, split_time={split_time})"
    parts = checks.sequence(what, outcome, 3)
    got_mean = checks.number(f"{what}: mean", checks.as_outcome(parts[1]))
    got_std = checks.number(f"{what}: std", checks.as_outcome(parts[2]))
    if np.isclose(got_mean, whole_mean) or np.isclose(got_std, whole_std):
        raise Failure(
            f"{what}: mean and std",
            f"the training statistics {mean:.6g} and {std:.6g}",
            f"{got_mean:.6g} and {got_std:.6g}, the statistics of the whole series "
            "(use series[:split_time] only)",
        )
    checks.close(f"{what}: mean", got_mean, mean, atol=1e-6, rtol=1e-5, label="mean")
    checks.close(f"{what}: std", got_std, std, atol=1e-6, rtol=2e-3, label="std")
    got = checks.array(f"{what}: the normalised series", checks.as_outcome(parts[0]), length=length)
    checks.close(f"{what}: the normalised series", got, expected, atol=1e-4, rtol=2e-3, label="value")


# --- exercises 5 and 6: the model ------------------------------------------------------------


def check_architecture(what, info, window_size):
    layers = list(info.get("layers") or [])
    shown = ", ".join(layers) or "no layers"
    if "GRU" not in layers:
        raise Failure(what, "at least one GRU layer", f"layers {shown}")
    if not any("Dropout" in layer for layer in layers):
        raise Failure(what, "a Dropout layer (tf.keras.layers.Dropout)", f"layers {shown}")
    checks.window_model_shapes(what, info, window_size)


uncompiled_model, compiled_model = model_judges(check_architecture)


# --- the threshold ---------------------------------------------------------------------------


def threshold(outcome, truth, mean, std, split_date, mae_threshold):
    """The grader's forecast of the normalised validation period, scored in degrees."""
    what = f"MAE in °C of your trained model's forecast on the validation period ({split_date} on)"

    def degrees_mae(true, forecast):
        return checks.mae(true, np.asarray(forecast, dtype=float) * std + mean)

    return checks.forecast_threshold(what, outcome, truth, "mae", degrees_mae, mae_threshold)
