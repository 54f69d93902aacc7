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

from .. import checks
from ..spec import Assignment, Case, Failure, Forecast, Test, call, variable

SPLIT_TIME = 1100
WINDOW_SIZE = 20
NOISE_LEVEL = 4.0
SERIES_SEED = 31
# Calibrated with `python scripts/calibrate.py week3 --seeds 20 --workers 2` (docs/calibration/week3.md):
# reference (LSTM(32), Huber, Adam 1e-3, 15 epochs) min 3.66, median 3.73, max 4.13 over seeds 0-19;
# naive 4.53, moving average 5.43, least-squares linear on the window 3.56, noise floor 3.19.
MAE_THRESHOLD = 4.25

RECURRENT_LAYERS = ("SimpleRNN", "LSTM", "GRU", "Bidirectional", "RNN")
MAE_NAMES = ("mae", "meanabsoluteerror")


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


# --- checks -------------------------------------------------------------------------------


def _shape(shape):
    return "(" + ", ".join("None" if dim is None else str(dim) for dim in shape) + ")"


def require_recurrent(what, info):
    """Fail unless the model has a recurrent layer (nested layers, e.g. inside Bidirectional, count)."""
    layers = list(info.get("layers") or [])
    if not any(name in RECURRENT_LAYERS for name in layers):
        shown = ", ".join(layers) if layers else "no layers"
        raise Failure(
            what,
            "a model with at least one recurrent layer (SimpleRNN, LSTM, GRU or Bidirectional)",
            f"a model with the layers {shown}",
        )


def require_shapes(what, info, window_size):
    """Input (None, window_size, 1) (or a None time axis) and output (None, 1)."""
    input_shape = info.get("input_shape")
    expected = (
        f"a model input of shape (None, {window_size}, 1): windows of {window_size} steps, one feature each"
    )
    if input_shape is None:
        raise Failure(what, expected, "a model without a defined input (start it with tf.keras.Input)")
    if len(input_shape) != 3 or input_shape[2] != 1 or input_shape[1] not in (window_size, None):
        hint = ""
        if len(input_shape) == 2:
            hint = " (the feature axis is missing: use tf.keras.Input(shape=(window_size, 1)))"
        elif len(input_shape) == 3 and input_shape[1] == WINDOW_SIZE and window_size != WINDOW_SIZE:
            hint = " (use the window_size argument instead of a fixed number)"
        raise Failure(what, expected, f"input shape {_shape(input_shape)}{hint}")
    output_shape = info.get("output_shape")
    if output_shape is None or list(output_shape) != [None, 1]:
        shown = "an unknown output shape" if output_shape is None else f"output shape {_shape(output_shape)}"
        hint = ""
        if output_shape is not None and len(output_shape) == 3:
            hint = " (the last recurrent layer should not use return_sequences=True)"
        raise Failure(what, "a model output of shape (None, 1): one forecast per window", shown + hint)


def is_mae_metric(name):
    return isinstance(name, str) and name.lower().replace("_", "") in MAE_NAMES


def require_compiled(what, info):
    """A loss, an optimizer and an MAE metric."""
    if not info.get("compiled"):
        raise Failure(
            what,
            "a compiled model (call model.compile with a loss, an optimizer and metrics)",
            "a model that was not compiled",
        )
    if info.get("optimizer") is None:
        raise Failure(what, "an optimizer, e.g. tf.keras.optimizers.Adam(learning_rate=...)", "no optimizer")
    if info.get("loss") is None:
        raise Failure(what, "a loss, e.g. tf.keras.losses.Huber()", "no loss")
    metrics = list(info.get("metrics") or [])
    if not any(is_mae_metric(name) for name in metrics):
        shown = ", ".join(str(name) for name in metrics) if metrics else "no metrics"
        raise Failure(what, 'the mean absolute error among the metrics (metrics=["mae"])', shown)


# --- test cases ---------------------------------------------------------------------------


def _other_window(rng):
    """A window size other than the notebook's, drawn at grading time."""
    return int(rng.choice([size for size in range(8, 41) if size != WINDOW_SIZE]))


def _uncompiled_cases(rng):
    def case(window_size, hidden):
        def check(outcome):
            what = f"create_uncompiled_model(window_size={window_size})"
            info = checks.model(what, outcome)
            require_recurrent(what, info)
            require_shapes(what, info, window_size)

        probe = (
            call("create_uncompiled_model")
            if not hidden
            else call("create_uncompiled_model", window_size=window_size)
        )
        return Case("uncompiled model", probe, check, hidden)

    return [case(WINDOW_SIZE, False), case(_other_window(rng), True)]


def _compiled_cases(rng):
    def case(window_size, hidden):
        def check(outcome):
            what = f"create_model(window_size={window_size})"
            if outcome.status == "error" and "'NoneType' object has no attribute 'compile'" in outcome.detail:
                hint = " (create_uncompiled_model still returns None: finish Exercise 1 first)"
                raise Failure(what, "a Keras model", f"an error: {outcome.detail}{hint}")
            info = checks.model(what, outcome)
            require_compiled(what, info)
            require_recurrent(what, info)
            require_shapes(what, info, window_size)

        probe = call("create_model") if not hidden else call("create_model", window_size=window_size)
        return Case("compiled model", probe, check, hidden)

    return [case(WINDOW_SIZE, False), case(_other_window(rng), True)]


def validation_mae(forecast):
    _, series = make_series()
    return checks.mae(series[SPLIT_TIME:], forecast)


def _threshold_cases(rng):
    """The grader forecasts the validation period with the trained `model` itself."""
    _, series = make_series()
    truth = series[SPLIT_TIME:]

    def check(outcome):
        what = "MAE of your trained model's forecast on the validation period"
        info = checks.model(what, outcome)
        require_recurrent(what, info)
        return checks.forecast_threshold(what, outcome, truth, "mae", checks.mae, MAE_THRESHOLD)

    forecast = Forecast(series=series[SPLIT_TIME - WINDOW_SIZE :], window_size=WINDOW_SIZE)
    return [Case("threshold", variable("model"), check, forecast=forecast)]


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
