"""Week 2's judges: windowed datasets and a Dense-only model (expected values come from outside)."""

from __future__ import annotations

import numpy as np

from . import checks
from .spec import Failure

# A model with many times the reference network's parameters is not wrong, but it trains slower and
# overfits more easily: a warning, no failure.
PARAMS_WARNING_FACTOR = 10
REGRESSION_LOSSES = {
    "mse",
    "meansquarederror",
    "mae",
    "meanabsoluteerror",
    "huber",
    "huberloss",
    "logcosh",
    "msle",
    "meansquaredlogarithmicerror",
}
ALLOWED_LAYERS = {"Dense", "InputLayer"}


# --- a windowed dataset ---------------------------------------------------------------------


def _arguments(length, window, batch, shuffle):
    return (
        f"windowed_dataset(series of {length} values, window_size={window}, "
        f"batch_size={batch}, shuffle_buffer={shuffle})"
    )


def _batches(what, sample, window, batch):
    """The sampled batches as (features, labels), failing on wrong shapes or dtypes."""
    pairs = checks.batch_pairs(what, sample)
    last = len(pairs) - 1
    for number, (features, labels) in enumerate(pairs):
        name = f"{what}: batch {number + 1}"
        rows = features.shape[0] if features.ndim else 0
        if features.ndim != 2 or features.shape[1] != window:
            hint = (
                " (no extra feature axis here: the model starts with Dense layers)"
                if features.ndim == 3
                else ""
            )
            raise Failure(
                name,
                f"features of shape ({batch}, {window}), one window per row",
                f"shape {features.shape}{hint}",
            )
        if labels.shape != (rows,):
            hint = " (take the label as window[-1], not window[-1:])" if labels.shape == (rows, 1) else ""
            raise Failure(
                name, f"labels of shape ({rows},), one value per window", f"shape {labels.shape}{hint}"
            )
        if rows > batch or (rows < batch and number < last) or rows == 0:
            raise Failure(name, f"{batch} windows per batch (batch_size)", f"{rows}")
        for part, array in (("features", features), ("labels", labels)):
            if array.dtype != np.float32:
                raise Failure(name, f"{part} of dtype float32, like the series", f"dtype {array.dtype}")
    return pairs


def _check_pairs(what, pairs, ref_features, ref_labels):
    """Every (window, label) must be consecutive values of the series and the value after them."""
    for number, (features, labels) in enumerate(pairs):
        name = f"{what}: batch {number + 1}"
        for row, found in enumerate(checks.window_positions(name, features, ref_features)):
            if not np.any(np.isclose(labels[row], ref_labels[found], atol=1e-5)):
                raise Failure(
                    name,
                    f"the label of row {row} to be the value after its window, {ref_labels[found[0]]:.6g}",
                    f"{labels[row]:.6g}",
                )


def dataset(outcome, length, window, batch, shuffle, windows, labels):
    """Shapes, dtypes and consistent (window, label) pairs, with shuffling on; `windows` and
    `labels` are every window of the series in order and the value after each."""
    what = _arguments(length, window, batch, shuffle)
    pairs = _batches(what, checks.dataset(what, outcome), window, batch)
    _check_pairs(what, pairs, windows, labels)
    features = np.concatenate([f for f, _ in pairs])
    in_order = windows[: len(features)]
    if len(features) > 2 * batch and np.allclose(features, in_order, atol=1e-5):
        raise Failure(
            what,
            f"windows shuffled with a buffer of {shuffle}",
            "the windows in their original order (call dataset.shuffle(shuffle_buffer) before batching)",
        )


def no_shuffle(outcome, length, window, batch, windows, labels):
    """With shuffle_buffer=1 the batches hold the first windows, in order."""
    what = _arguments(length, window, batch, 1)
    sample = checks.dataset(what, outcome)
    pairs = _batches(what, sample, window, batch)
    features = np.concatenate([f for f, _ in pairs])
    if len(features) > len(windows):
        raise Failure(what, f"{len(windows)} windows in all", f"{len(features)} or more")
    _check_pairs(what, pairs, windows, labels)  # genuine windows and labels first
    for number, (got_f, got_l) in enumerate(pairs):
        start = number * batch
        expected_f = windows[start : start + len(got_f)]
        expected_l = labels[start : start + len(got_f)]
        if not (np.allclose(got_f, expected_f, atol=1e-5) and np.allclose(got_l, expected_l, atol=1e-5)):
            first = np.flatnonzero(np.all(np.isclose(windows, got_f[0], atol=1e-5), axis=1))[0]
            raise Failure(
                f"{what}: batch {number + 1}",
                f"windows {start} to {start + len(got_f) - 1} of the series in order "
                "(a shuffle buffer of 1 keeps the order)",
                f"a batch that starts with window {first} "
                "(is the shuffle buffer hard-coded instead of using shuffle_buffer?)",
            )
    if not sample.truncated:
        seen, total = len(features), len(windows)
        if seen not in (total, total // batch * batch):
            raise Failure(what, f"all {total} windows of the series", f"{seen} windows")


# --- the model ------------------------------------------------------------------------------


def model(outcome, window, reference_params=None):
    """Input, output, only Dense layers and a regression loss; with `reference_params` (the reference
    network's count), the model's parameter count as a measurement."""
    what = f"create_model({window})"
    info = checks.model(what, outcome)
    if info.get("input_shape") != [None, window]:
        raise Failure(
            what,
            f"input shape (None, {window}) (start with tf.keras.Input((window_size,)))",
            _shape(info.get("input_shape")),
        )
    if info.get("output_shape") != [None, 1]:
        raise Failure(
            what, "output shape (None, 1): one forecast per window", _shape(info.get("output_shape"))
        )
    layers = list(info.get("layers") or [])
    others = [name for name in layers if name not in ALLOWED_LAYERS]
    if others or "Dense" not in layers:
        raise Failure(what, "only Dense layers", "layers " + ", ".join(layers or ["(none)"]))
    loss = info.get("loss")
    if not info.get("compiled") or loss is None:
        raise Failure(what, "a compiled model (call model.compile(loss=..., optimizer=...))", "no loss")
    if str(loss).replace("_", "").lower() not in REGRESSION_LOSSES:
        raise Failure(what, 'a regression loss such as "mse" or "huber"', f"loss {loss}")
    return params_hint(info.get("params"), reference_params) if reference_params else {}


def params_hint(params, reference_params):
    """The parameter count as a measurement, with a warning when it is far above the reference."""
    if not isinstance(params, int):
        return {}
    measured = {"params": params}
    if params > PARAMS_WARNING_FACTOR * reference_params:
        measured["warning"] = (
            f"your model has {params} parameters, more than {PARAMS_WARNING_FACTOR} times the "
            f"{reference_params} of the reference network; a smaller one trains faster and overfits less"
        )
    return measured


def _shape(shape):
    return "no shape" if shape is None else "shape (" + ", ".join(str(d) for d in shape) + ")"


def threshold(outcome, truth, mse_threshold):
    """The grader's forecast of the trained `model` over the validation period, scored by MSE."""
    what = "MSE of your trained model's forecast on the validation period"
    return checks.forecast_threshold(what, outcome, truth, "mse", checks.mse, mse_threshold)
