"""Week 1 graded assignment: statistical forecasting on a synthetic series.

The reference implementations below are the grader's own; student results are compared with
them. Hidden cases use inputs drawn at grading time, so they cannot be known in advance.
"""

from __future__ import annotations

import numpy as np

from tscourse.checking import checks
from tscourse.checking import week1 as judges
from tscourse.checking.spec import Assignment, Case, Global, Test, call

from .common import threshold_cases

SPLIT_TIME = 1100
LAG = 365
NOISE_LEVEL = 5.0
# Calibrated with `python scripts/calibrate.py week1` (its table is in docs/calibration.md):
# naive 5.96, differencing plus past 5.88, reference windows (50, 11) 4.92, noise floor 3.99.
MAE_THRESHOLD = 5.25


def make_series():
    """The assignment's series: trend + yearly seasonality + Gaussian noise (seed 42)."""
    time = np.arange(4 * 365 + 1, dtype="float32")
    season_time = ((time + 0) % 365) / 365
    pattern = np.where(season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time))
    series = 10 + 0.05 * time + 40 * pattern
    rng = np.random.default_rng(42)
    series = series + rng.standard_normal(len(time)) * NOISE_LEVEL
    return time, series.astype("float32")


# --- reference implementations (never shown to students) -------------------------------


def ref_split(time, series, time_step):
    return time[:time_step], series[:time_step], time[time_step:], series[time_step:]


def ref_metrics(true, forecast):
    return checks.mse(true, forecast), checks.mae(true, forecast)


def ref_naive(series, split_time):
    return series[split_time - 1 : -1]


def ref_moving_average(series, window_size):
    cumulative = np.cumsum(np.insert(np.asarray(series, dtype=float), 0, 0.0))
    return (cumulative[window_size:] - cumulative[:-window_size])[:-1] / window_size


def ref_difference(series, lag):
    return series[lag:] - series[:-lag]


def ref_diff_plus_past(series, split_time, lag, window_size):
    diff_average = ref_moving_average(ref_difference(series, lag), window_size)
    return diff_average[split_time - lag - window_size :] + series[split_time - lag : -lag]


def ref_diff_plus_smoothed_past(series, split_time, lag, window_size, smoothing_window):
    half = smoothing_window // 2
    diff_average = ref_moving_average(ref_difference(series, lag), window_size)
    past = series[split_time - lag - half : len(series) - lag + half + 1]
    return diff_average[split_time - lag - window_size :] + ref_moving_average(past, smoothing_window)


def baselines():
    """MAE of the simple methods on the validation period, for calibration."""
    _, series = make_series()
    truth = series[SPLIT_TIME:]
    return {
        "naive MAE": checks.mae(truth, ref_naive(series, SPLIT_TIME)),
        "differencing + past (window 50) MAE": checks.mae(
            truth, ref_diff_plus_past(series, SPLIT_TIME, LAG, 50)
        ),
        "noise floor MAE": NOISE_LEVEL * float(np.sqrt(2 / np.pi)),
    }


# --- test cases -------------------------------------------------------------------------


def _random_series(rng, length):
    return np.round(rng.normal(0, 10, length).cumsum() + 50, 3)


def _split_cases(rng):
    def case(time, series, step, hidden):
        params = {"length": len(series), "step": step, "expected": ref_split(time, series, step)}
        return Case("split", call("train_val_split", time, series, step), judges.split, params, hidden)

    time, series = make_series()
    cases = [case(time, series, SPLIT_TIME, False)]
    length = int(rng.integers(30, 80))
    hidden_time = np.arange(length, dtype=float) + int(rng.integers(0, 100))
    cases.append(case(hidden_time, _random_series(rng, length), int(rng.integers(5, length - 5)), True))
    return cases


def _metrics_cases(rng):
    def case(true, forecast, hidden):
        params = {"length": len(true), "expected": ref_metrics(true, forecast)}
        return Case("metrics", call("compute_metrics", true, forecast), judges.metrics, params, hidden)

    visible = case(np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 2.0, 5.0, 0.0]), False)
    true = _random_series(rng, 50)
    return [visible, case(true, true + rng.normal(0, 3, 50), True)]


def _naive_cases(rng):
    def case(series, split, hidden):
        params = {"length": len(series), "split": split, "expected": ref_naive(series, split)}
        return Case("naive", call("naive_forecast", series, split), judges.naive, params, hidden)

    _, series = make_series()
    hidden = _random_series(rng, 60)
    return [case(series, SPLIT_TIME, False), case(hidden, int(rng.integers(10, 50)), True)]


def _moving_average_cases(rng):
    def case(series, window, hidden):
        params = {"length": len(series), "window": window, "expected": ref_moving_average(series, window)}
        probe = call("moving_average_forecast", series, window)
        return Case("moving average", probe, judges.moving_average, params, hidden)

    ramp = np.arange(10, dtype=float)
    hidden = _random_series(rng, 80)
    return [
        case(ramp, 3, False),
        case(make_series()[1], 30, False),
        case(hidden, int(rng.integers(2, 20)), True),
    ]


def _difference_cases(rng):
    def case(series, lag, hidden):
        params = {"length": len(series), "lag": lag, "expected": ref_difference(series, lag)}
        return Case("difference", call("seasonal_difference", series, lag), judges.difference, params, hidden)

    hidden = _random_series(rng, 70)
    return [case(make_series()[1], LAG, False), case(hidden, int(rng.integers(3, 30)), True)]


def _diff_plus_past_cases(rng):
    def case(series, split, lag, window, hidden):
        expected = ref_diff_plus_past(series, split, lag, window)
        params = {"split": split, "lag": lag, "window": window, "expected": expected}
        probe = call("diff_plus_past_forecast", series, split, lag, window)
        return Case("diff plus past", probe, judges.diff_plus_past, params, hidden)

    hidden = _random_series(rng, 120)
    return [
        case(make_series()[1], SPLIT_TIME, LAG, 50, False),
        case(hidden, int(rng.integers(60, 100)), int(rng.integers(10, 25)), int(rng.integers(2, 10)), True),
    ]


def _smoothed_cases(rng):
    def case(series, split, lag, window, smoothing, hidden):
        expected = ref_diff_plus_smoothed_past(series, split, lag, window, smoothing)
        params = {"split": split, "lag": lag, "window": window, "smoothing": smoothing, "expected": expected}
        probe = call("diff_plus_smoothed_past_forecast", series, split, lag, window, smoothing)
        return Case("diff plus smoothed past", probe, judges.diff_plus_smoothed_past, params, hidden)

    hidden = _random_series(rng, 150)
    return [
        case(make_series()[1], SPLIT_TIME, LAG, 50, 11, False),
        case(hidden, 110, int(rng.integers(20, 40)), int(rng.integers(2, 10)), 5, True),
    ]


def _threshold_cases(rng):
    """The grader recomputes the final forecast's MAE from the student's own functions."""
    _, series = make_series()
    probe = call(
        "diff_plus_smoothed_past_forecast",
        series,
        SPLIT_TIME,
        LAG,
        Global("DIFF_WINDOW"),
        Global("SMOOTHING_WINDOW"),
    )
    naive_mae = checks.mae(series[SPLIT_TIME:], ref_naive(series, SPLIT_TIME))
    return threshold_cases(
        judges.threshold, series, SPLIT_TIME, "mae", MAE_THRESHOLD, probe=probe, naive_mae=naive_mae
    )


ASSIGNMENT = Assignment(
    name="week1",
    title="Week 1: Statistical forecasting",
    tests=[
        Test("test_train_val_split", 1, "train_val_split", _split_cases),
        Test("test_compute_metrics", 1, "compute_metrics", _metrics_cases),
        Test("test_naive_forecast", 1, "naive_forecast", _naive_cases),
        Test("test_moving_average_forecast", 2, "moving_average_forecast", _moving_average_cases),
        Test("test_seasonal_difference", 1, "seasonal_difference", _difference_cases),
        Test("test_diff_plus_past_forecast", 2, "diff_plus_past_forecast", _diff_plus_past_cases),
        Test(
            "test_diff_plus_smoothed_past_forecast",
            2,
            "diff_plus_smoothed_past_forecast",
            _smoothed_cases,
        ),
        Test("test_forecast_mae_threshold", 2, "forecast MAE threshold", _threshold_cases),
    ],
    # The whole grading (every run and re-run) shares total_seconds: a function that hangs wherever it is
    # called (two setup cells and a test) costs about 30 + 60 + 30 + 30 s of it, with room to spare.
    cell_seconds=30.0,
    total_seconds=240.0,
)
