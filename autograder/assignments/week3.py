"""Week 3 graded assignment: forecasting with recurrent layers (SimpleRNN, LSTM, GRU).

Students write two functions and train a model:

- `create_uncompiled_model(window_size=WINDOW_SIZE)` builds a model with at least one recurrent
  layer that reads windows of shape (batch, window_size, 1) and returns one value per window,
  (batch, 1). It takes the window size as an argument (default: the notebook's WINDOW_SIZE), so
  the hidden cases can ask for models with other window sizes and check that the architecture is
  not hard-wired to 20 steps. A model whose time axis is None (any window length) is accepted too.
- `create_model(window_size=WINDOW_SIZE)` compiles that model with a loss, an optimizer and an MAE
  metric.
- The training cell leaves the trained model in the variable `model`. The grader re-loads it in a
  fresh process, forecasts the validation period (one window of WINDOW_SIZE values per step) and
  compares the MAE with a threshold calibrated in docs/calibration/week3.md.
"""

from __future__ import annotations

import numpy as np

from tscourse.checking import checks
from tscourse.checking import week3 as judges
from tscourse.checking.spec import Assignment, Case, Test, call

from .common import threshold_cases

SPLIT_TIME = 1100
WINDOW_SIZE = 20
NOISE_LEVEL = 4.0
SERIES_SEED = 31
# Calibrated with `python scripts/calibrate.py week3 --seeds 20 --workers 2` (docs/calibration/week3.md):
# reference (LSTM(32), Huber, Adam 1e-3, 15 epochs) min 3.66, median 3.73, max 4.13 over seeds 0-19;
# naive 4.53, moving average 5.43, least-squares linear on the window 3.56, noise floor 3.19.
MAE_THRESHOLD = 4.25


def make_series():
    """The assignment's series: trend + a two-harmonic yearly season + Gaussian noise."""
    time = np.arange(4 * 365 + 1, dtype="float32")
    season_time = (time % 365) / 365
    pattern = np.cos(2 * np.pi * season_time) + 0.5 * np.sin(4 * np.pi * season_time)
    series = 25 + 0.01 * time + 30 * pattern
    rng = np.random.default_rng(SERIES_SEED)
    series = series + rng.standard_normal(len(time)) * NOISE_LEVEL
    return time, series.astype("float32")


# --- baselines (for calibration; never shown to students) --------------------------------


def naive_forecast(series, split_time):
    return series[split_time - 1 : -1]


def moving_average_forecast(series, split_time, window_size):
    """Mean of the `window_size` values before each step from split_time on."""
    windows = np.lib.stride_tricks.sliding_window_view(series[split_time - window_size : -1], window_size)
    return windows.mean(axis=1)


def linear_forecast(series, split_time, window_size):
    """Least-squares linear regression on each window: what a single Dense(1) layer can reach."""
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(series[:-1], dtype=float), window_size)
    features = np.column_stack([windows, np.ones(len(windows))])
    targets = np.asarray(series[window_size:], dtype=float)
    train = split_time - window_size
    coefficients, *_ = np.linalg.lstsq(features[:train], targets[:train], rcond=None)
    return features[train:] @ coefficients


def baselines():
    """MAE of the simple methods on the validation period, for calibration."""
    _, series = make_series()
    truth = series[SPLIT_TIME:]
    return {
        "naive MAE": checks.mae(truth, naive_forecast(series, SPLIT_TIME)),
        f"moving average (window {WINDOW_SIZE}) MAE": checks.mae(
            truth, moving_average_forecast(series, SPLIT_TIME, WINDOW_SIZE)
        ),
        f"linear regression on windows of {WINDOW_SIZE} (least squares) MAE": checks.mae(
            truth, linear_forecast(series, SPLIT_TIME, WINDOW_SIZE)
        ),
        "noise floor MAE": NOISE_LEVEL * float(np.sqrt(2 / np.pi)),
    }


# --- test cases ---------------------------------------------------------------------------


def _other_window(rng):
    """A window size other than the notebook's, drawn at grading time."""
    return int(rng.choice([size for size in range(8, 41) if size != WINDOW_SIZE]))


def _model_cases(what, function, judge):
    def cases(rng):
        def case(window_size, hidden):
            probe = call(function) if not hidden else call(function, window_size=window_size)
            params = {"window_size": window_size, "notebook_window": WINDOW_SIZE}
            return Case(what, probe, judge, params, hidden)

        return [case(WINDOW_SIZE, False), case(_other_window(rng), True)]

    return cases


_uncompiled_cases = _model_cases("uncompiled model", "create_uncompiled_model", judges.uncompiled_model)
_compiled_cases = _model_cases("compiled model", "create_model", judges.compiled_model)


def validation_mae(forecast):
    _, series = make_series()
    return checks.mae(series[SPLIT_TIME:], forecast)


def _threshold_cases(rng):
    """The grader forecasts the validation period with the trained `model` itself."""
    _, series = make_series()
    return threshold_cases(
        judges.threshold, series, SPLIT_TIME, "mae", MAE_THRESHOLD, window_size=WINDOW_SIZE
    )


ASSIGNMENT = Assignment(
    name="week3",
    title="Week 3: Recurrent networks",
    tests=[
        Test("test_create_uncompiled_model", 2, "create_uncompiled_model", _uncompiled_cases),
        Test("test_create_model", 2, "create_model", _compiled_cases),
        Test("test_forecast_mae_threshold", 3, "trained model's forecast MAE threshold", _threshold_cases),
    ],
    # Reference: notebook about 30 s (20 s of it training), whole grading about 35 s on an idle 2-core
    # machine; up to 160 s while three calibrations shared the 2 cores. Generous limits, so a loaded
    # grader still passes the reference, while a runaway training cell is stopped after 2 minutes.
    cell_seconds=120.0,
    total_seconds=300.0,
)
