"""Week 2 graded assignment: windowed datasets and a Dense-only network.

The reference implementations below are the grader's own; student results are compared with
them. Hidden cases use inputs drawn at grading time, so they cannot be known in advance.

`windowed_dataset` must yield batches of `(features, labels)`: features of shape
`(batch, window_size)` (float32, like the series) and labels of shape `(batch,)`, one value per
window: the value that follows it.
"""

from __future__ import annotations

import numpy as np

from tscourse.checking import checks
from tscourse.checking import week2 as judges
from tscourse.checking.spec import Assignment, Case, Test, call

from .common import threshold_cases

SPLIT_TIME = 1100
WINDOW_SIZE = 20
BATCH_SIZE = 32
SHUFFLE_BUFFER_SIZE = 1000
NOISE_LEVEL = 4.5
# The original course's bar, checked with `python scripts/calibrate.py week2` (docs/calibration/week2.md):
# the reference scores 24.0-27.9 over 20 seeds (median 24.9); naive 44.2, 20-day moving average 40.9.
MSE_THRESHOLD = 30.0
# Parameters of the reference network (20 -> Dense(32) -> Dense(16) -> Dense(1)); a model with
# many times more gets a warning (see tscourse.checking.week2.params_hint).
REFERENCE_PARAMS = (20 * 32 + 32) + (32 * 16 + 16) + (16 + 1)


def seasonal_pattern(season_time):
    """A slow rise that accelerates over three quarters of the year, then a quick fall back."""
    return np.where(
        season_time < 0.75,
        (season_time / 0.75) ** 2,
        np.cos((season_time - 0.75) / 0.25 * np.pi / 2),
    )


def make_signal():
    """Trend + yearly seasonality, without noise: four years and one day of daily steps."""
    time = np.arange(4 * 365 + 1, dtype="float32")
    return time, 15 + 0.025 * time + 60 * seasonal_pattern((time % 365) / 365)


def make_series():
    """The assignment's series: the signal plus Gaussian noise (seed 6), as float32."""
    time, signal = make_signal()
    rng = np.random.default_rng(6)
    series = signal + rng.standard_normal(len(time)) * NOISE_LEVEL
    return time, series.astype("float32")


# --- reference implementations (never shown to students) -------------------------------


def ref_windows(series, window_size):
    """Every window of `window_size` values with the value after it: (features, labels)."""
    series = np.asarray(series)
    positions = np.arange(len(series) - window_size)[:, None] + np.arange(window_size + 1)
    windows = series[positions]
    return windows[:, :-1], windows[:, -1]


def ref_naive(series, split_time):
    return series[split_time - 1 : -1]


def ref_moving_average(series, split_time, window_size):
    cumulative = np.cumsum(np.insert(np.asarray(series, dtype=float), 0, 0.0))
    averages = (cumulative[window_size:] - cumulative[:-window_size]) / window_size
    return averages[split_time - window_size : -1]


def ref_least_squares(series, split_time, window_size):
    """The best linear model of a window (a single Dense(1) layer, solved exactly)."""
    features, labels = ref_windows(np.asarray(series, dtype=float), window_size)
    design = np.c_[features, np.ones(len(features))]
    train = split_time - window_size
    coefficients, *_ = np.linalg.lstsq(design[:train], labels[:train], rcond=None)
    return design[train:] @ coefficients


def baselines():
    """MSE of simple forecasts on the validation period, for calibration."""
    _, signal = make_signal()
    _, series = make_series()
    truth = series[SPLIT_TIME:]
    return {
        "naive MSE": checks.mse(truth, ref_naive(series, SPLIT_TIME)),
        f"moving average ({WINDOW_SIZE} days) MSE": checks.mse(
            truth, ref_moving_average(series, SPLIT_TIME, WINDOW_SIZE)
        ),
        f"least-squares linear model (window {WINDOW_SIZE}) MSE": checks.mse(
            truth, ref_least_squares(series, SPLIT_TIME, WINDOW_SIZE)
        ),
        "noise floor (true signal as forecast) MSE": checks.mse(truth, signal[SPLIT_TIME:]),
    }


# --- test cases -------------------------------------------------------------------------


def _windowed(series, window):
    windows, labels = ref_windows(series, window)
    return {"length": len(series), "window": window, "windows": windows, "labels": labels}


def _dataset_cases(rng):
    """Shapes, dtypes and consistent (window, label) pairs, with shuffling on."""

    def case(series, window, batch, shuffle, hidden):
        params = {**_windowed(series, window), "batch": batch, "shuffle": shuffle}
        probe = call("windowed_dataset", series, window, batch, shuffle)
        return Case("windowed dataset", probe, judges.dataset, params, hidden)

    _, series = make_series()
    train = series[:SPLIT_TIME]
    length = int(rng.integers(150, 300))
    hidden = _random_series(rng, length)
    return [
        case(train, WINDOW_SIZE, BATCH_SIZE, SHUFFLE_BUFFER_SIZE, False),
        case(hidden, int(rng.integers(3, 12)), int(rng.integers(8, 20)), 100, True),
    ]


def _no_shuffle_cases(rng):
    """With shuffle_buffer=1 the batches hold the first windows, in order."""

    def case(series, window, batch, hidden):
        params = {**_windowed(series, window), "batch": batch}
        probe = call("windowed_dataset", series, window, batch, 1)
        return Case("no shuffle", probe, judges.no_shuffle, params, hidden)

    _, series = make_series()
    window, batch = int(rng.integers(3, 10)), int(rng.integers(4, 10))
    # short enough that every batch is sampled, the last (smaller) one included
    length = window + 3 * batch + int(rng.integers(1, batch))
    return [
        case(series[:SPLIT_TIME], WINDOW_SIZE, BATCH_SIZE, False),
        case(_random_series(rng, length), window, batch, True),
    ]


def _random_series(rng, length):
    return (rng.normal(0, 10, length).cumsum() + 50).astype("float32")


def _model_cases(rng):
    def case(window, hidden):
        params = {"window": window, "reference_params": None if hidden else REFERENCE_PARAMS}
        return Case("model", call("create_model", window), judges.model, params, hidden)

    return [case(WINDOW_SIZE, False), case(int(rng.integers(5, 40)), True)]


def _threshold_cases(rng):
    """The grader forecasts the validation period with the trained `model` itself."""
    _, series = make_series()
    return threshold_cases(
        judges.threshold, series, SPLIT_TIME, "mse", MSE_THRESHOLD, window_size=WINDOW_SIZE
    )


ASSIGNMENT = Assignment(
    name="week2",
    title="Week 2: Forecasting with a Dense network",
    tests=[
        Test("test_windowed_dataset", 2, "windowed_dataset", _dataset_cases),
        Test("test_windowed_dataset_no_shuffle", 1, "windowed_dataset without shuffling", _no_shuffle_cases),
        Test("test_create_model", 2, "create_model", _model_cases),
        Test("test_forecast_mse_threshold", 3, "forecast MSE threshold", _threshold_cases),
    ],
    # The reference notebook runs in about 14 s of CPU time (training 6 s); the limits leave room for
    # a slow or busy machine and still stop an endless loop.
    cell_seconds=120.0,
    total_seconds=300.0,
)
