"""Week 3's judges: recurrent models and the trained model's forecast (no reference code needed)."""

from __future__ import annotations

from . import checks
from .spec import Failure

RECURRENT_LAYERS = ("SimpleRNN", "LSTM", "GRU", "Bidirectional", "RNN")
MAE_NAMES = ("mae", "meanabsoluteerror")


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


def require_shapes(what, info, window_size, notebook_window=None):
    """Input (None, window_size, 1) (or a None time axis) and output (None, 1); `notebook_window`
    is the notebook's own WINDOW_SIZE, named in the message when a model hard-wires it."""
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
        elif len(input_shape) == 3 and input_shape[1] == notebook_window and window_size != notebook_window:
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


# --- judges ---------------------------------------------------------------------------------


def uncompiled_model(outcome, window_size, notebook_window):
    what = f"create_uncompiled_model(window_size={window_size})"
    info = checks.model(what, outcome)
    require_recurrent(what, info)
    require_shapes(what, info, window_size, notebook_window)


def compiled_model(outcome, window_size, notebook_window):
    what = f"create_model(window_size={window_size})"
    if outcome.status == "error" and "'NoneType' object has no attribute 'compile'" in outcome.detail:
        hint = " (create_uncompiled_model still returns None: finish Exercise 1 first)"
        raise Failure(what, "a Keras model", f"an error: {outcome.detail}{hint}")
    info = checks.model(what, outcome)
    require_compiled(what, info)
    require_recurrent(what, info)
    require_shapes(what, info, window_size, notebook_window)


def threshold(outcome, truth, mae_threshold):
    """The grader's forecast of the trained `model` over the validation period, scored by MAE."""
    what = "MAE of your trained model's forecast on the validation period"
    info = checks.model(what, outcome)
    require_recurrent(what, info)
    return checks.forecast_threshold(what, outcome, truth, "mae", checks.mae, mae_threshold)
