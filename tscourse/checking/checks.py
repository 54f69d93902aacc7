"""Reusable checks that turn common mistakes into clear messages.

Every helper takes a description of the test case (`what`) and an `Outcome`, and either
returns the value in a form the caller can compare or raises `Failure`.
"""

from __future__ import annotations

import numpy as np

from .spec import Failure, Outcome
from .values import DatasetSample, ModelInfo, Opaque, TypedArray


def describe(value):
    """A short, student-friendly description of a decoded value."""
    if value is None:
        return "None (the placeholder is still there)"
    if isinstance(value, TypedArray):
        kind = {"ndarray": "a numpy array", "list": "a list", "tuple": "a tuple"}.get(
            value.pytype, f"a {value.pytype}"
        )
        return f"{kind} of shape {tuple(value.shape)} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, ModelInfo):
        return f"a {value.get('pytype')} model"
    if isinstance(value, Opaque):
        return f"a {value.pytype}: {value.text[:80]}"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, (int, float)):
        return f"the number {value:.6g}"
    return f"{type(value).__name__} {str(value)[:80]}"


# Errors whose likely cause the grader can name: (texts that identify it, the hint).
ERROR_HINTS = (
    (
        ("Cannot add tensor to the batch", "Cannot batch tensors with different shapes"),
        "the last windows are shorter than the others: did you forget drop_remainder=True in "
        "dataset.window(...)?",
    ),
)


def explain(error: str) -> str:
    """An error message from the student's code, with the likely cause where the grader can tell."""
    for markers, hint in ERROR_HINTS:
        if any(marker in error for marker in markers):
            return f"{error} (hint: {hint})"
    return error


def require_value(what, outcome: Outcome, expected):
    """Fail unless the probe produced a value (the function exists, runs and returns)."""
    name = outcome.detail
    if outcome.status == "missing":
        raise Failure(what, expected, f"nothing: `{name}` is not defined (renamed, or its cell failed?)")
    if outcome.status == "not_callable":
        raise Failure(what, expected, f"`{name}` is not a function")
    if outcome.status == "error":
        raise Failure(what, expected, f"an error: {explain(outcome.detail)}")
    if outcome.status == "lost":
        raise Failure(what, expected, outcome.detail)
    return outcome.value


def array(what, outcome: Outcome, length=None, shape=None, allow_list=False):
    """The value as a numpy array, failing on None, lists, wrong lengths or shapes."""
    expected = "a numpy array" + (f" of length {length}" if length is not None else "")
    if shape is not None:
        expected = f"a numpy array of shape {shape}"
    value = require_value(what, outcome, expected)
    if not isinstance(value, TypedArray):
        raise Failure(what, expected, describe(value))
    if value.pytype != "ndarray" and not allow_list:
        raise Failure(what, expected, describe(value) + " (convert it with np.array(...))")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise Failure(what, expected, describe(value))
    if length is not None and (value.ndim == 0 or len(value) != length):
        got = f"length {len(value)}" if value.ndim else "a scalar"
        raise Failure(what, expected, f"{got}")
    return np.asarray(value, dtype=float)


def close(what, got, expected, atol=1e-6, rtol=1e-6, label="values"):
    """Fail unless two arrays agree; the message shows where they first differ."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise Failure(what, f"shape {expected.shape}", f"shape {got.shape}")
    bad = ~np.isclose(got, expected, atol=atol, rtol=rtol)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        at = index[0] if len(index) == 1 else index
        raise Failure(
            what,
            f"{label} {_fmt(expected[index])} at index {at}",
            f"{_fmt(got[index])} ({int(bad.sum())} of {bad.size} {label} differ)",
        )


def number(what, outcome: Outcome):
    """The value as a float, failing on None, arrays and other types."""
    value = require_value(what, outcome, "a number")
    if isinstance(value, TypedArray) and value.size == 1:
        return float(value.reshape(()))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Failure(what, "a number", describe(value))
    return float(value)


def sequence(what, outcome: Outcome, length):
    """The value as a tuple/list of `length` items."""
    expected = f"a tuple of {length} items"
    value = require_value(what, outcome, expected)
    if isinstance(value, TypedArray) and value.pytype in ("tuple", "list") and value.ndim == 1:
        value = [TypedArray(item, "ndarray") for item in value]  # a tuple of plain numbers
    if not isinstance(value, (list, tuple)):
        raise Failure(what, expected, describe(value))
    if len(value) != length:
        raise Failure(what, expected, f"{len(value)} items")
    return value


def as_outcome(value):
    """Wrap an already-decoded item (one element of a tuple) so helpers can judge it."""
    return Outcome("value", value)


def mae(true, forecast):
    true, forecast = np.asarray(true, dtype=float), np.asarray(forecast, dtype=float)
    return float(np.mean(np.abs(true - forecast)))


def mse(true, forecast):
    true, forecast = np.asarray(true, dtype=float), np.asarray(forecast, dtype=float)
    return float(np.mean((true - forecast) ** 2))


def _fmt(value):
    return f"{float(value):.6g}"


def model(what, outcome: Outcome):
    """The value as a Keras model summary, failing on anything else."""
    value = require_value(what, outcome, "a Keras model")
    if not isinstance(value, ModelInfo):
        raise Failure(what, "a Keras model", describe(value))
    return value


def window_model_shapes(what, info: ModelInfo, window_size: int):
    """Fail unless a model takes (batch, window_size, 1) windows and gives one forecast per window."""
    input_shape = info.get("input_shape")
    if input_shape != [None, window_size, 1]:
        raise Failure(
            what,
            f"input shape (None, {window_size}, 1): start with tf.keras.Input(shape=(WINDOW_SIZE, 1))",
            f"input shape {tuple(input_shape) if input_shape else input_shape}",
        )
    output_shape = info.get("output_shape")
    if output_shape != [None, 1]:
        shown_shape = tuple(output_shape) if output_shape else output_shape
        raise Failure(what, "output shape (None, 1): one forecast per window", f"output shape {shown_shape}")


def dataset(what, outcome: Outcome):
    """The value as the first batches of a tf.data.Dataset, failing on anything else or no batches."""
    value = require_value(what, outcome, "a tf.data.Dataset")
    if not isinstance(value, DatasetSample):
        raise Failure(what, "a tf.data.Dataset", describe(value))
    if not value.batches:
        raise Failure(what, "a dataset with at least one batch", "an empty dataset")
    return value


def batch_pairs(what, sample: DatasetSample):
    """Each sampled batch as a (features, labels) pair of arrays, failing on other structures."""
    pairs = []
    for number, batch in enumerate(sample.batches, 1):
        here = f"{what}: batch {number}"
        if not isinstance(batch, (list, tuple)) or len(batch) != 2:
            raise Failure(here, "a (features, labels) pair", describe(batch))
        for part, name in zip(batch, ("features", "labels"), strict=True):
            if not isinstance(part, TypedArray):
                raise Failure(here, f"{name} as a tensor", describe(part))
        pairs.append((batch[0], batch[1]))
    return pairs


def window_positions(what, features, windows, atol=1e-5):
    """For each row of `features`, the positions of the series' windows it equals.

    Fails on the first row that is no window of the series at all, the sign of values
    shuffled before they were cut into windows.
    """
    features = np.asarray(features, dtype=float)
    matches = np.all(np.isclose(features[:, None, :], windows[None, :, :], atol=atol), axis=2)
    for row in range(len(features)):
        if not matches[row].any():
            raise Failure(
                what,
                f"each row to be {windows.shape[1]} consecutive values of the series",
                f"row {row}, starting {features[row, 0]:.6g}, is not a window of the series "
                "(were the values shuffled before windowing?)",
            )
    return [np.flatnonzero(found) for found in matches]


def trained_forecast(what, outcome: Outcome, length):
    """The grader's own forecast from a student's trained model (see spec.Forecast)."""
    info = model(what, outcome)
    if not info.get("iterations"):
        raise Failure(
            what,
            "a trained model",
            "a model that was never trained (its optimizer has taken no steps; run model.fit first)",
        )
    if outcome.forecast is None:
        raise Failure(what, "a forecast from your saved model", outcome.forecast_error or "no forecast")
    forecast = np.asarray(outcome.forecast, dtype=float)
    if forecast.shape != (length,):
        raise Failure(what, f"{length} forecast values", f"{forecast.size}")
    if not np.all(np.isfinite(forecast)):
        raise Failure(what, "finite forecast values", "NaN or infinite values (did training diverge?)")
    changed = int((outcome.forecast_report or {}).get("changed_variables", 0))
    if changed:
        raise Failure(
            what,
            "a model whose forecast of a window depends on that window alone",
            f"a model that changed {changed} of its variables (weights or states) while it forecast "
            "(a stateful layer, or a layer that stores what it sees)",
        )
    return forecast


def batch_note(outcome: Outcome, forecast) -> str:
    """A remark when a model's forecasts change with the other windows of the same batch.

    The grader forecasts each window alone (see runner.forecast); an honest model gives the
    same numbers in a batch, up to rounding.
    """
    difference = float((outcome.forecast_report or {}).get("batch_difference", 0.0))
    tolerance = 1e-3 * (1.0 + float(np.max(np.abs(forecast), initial=0.0)))
    if not difference > tolerance:
        return ""
    return (
        f"your model's forecasts change when other windows share its batch (by up to {difference:.3g} "
        "in an ordinary batched forecast); the grader forecast each window alone, so a window's "
        "forecast depends on that window only"
    )


def forecast_threshold(what, outcome: Outcome, truth, name, metric, threshold):
    """The grader's forecast of a trained model, scored by `metric` against `truth` and a threshold."""
    forecast = trained_forecast(what, outcome, len(truth))
    return at_most(what, name, metric(truth, forecast), threshold, batch_note(outcome, forecast))


def at_most(what, name, value, threshold, note=""):
    """Fail unless a metric is at or below its threshold; return it as a measurement.

    A `note` is added to the message either way (as a warning when the test passes).
    """
    if not np.isfinite(value) or value > threshold:
        raise Failure(
            what, f"{name} at most {threshold:g}", f"{name} {value:.2f}" + (f"; {note}" if note else "")
        )
    measured = {name: round(float(value), 4)}
    return {**measured, "warning": note} if note else measured
