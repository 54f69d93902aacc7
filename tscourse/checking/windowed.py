"""The judges of windowed datasets, window-to-value models and model_forecast, which weeks 4 and 5 share.

A week's own judges module names them (so that its recorded cases find them by name there) and adds
what is its own: the model's architecture, parsing, the threshold. Expected values come from outside.
"""

from __future__ import annotations

import numpy as np

from . import checks
from .spec import Failure
from .values import TypedArray

# --- windowed_dataset: (window, next value) batches with a feature axis ---------------------


def check_windows(what, outcome, windows, labels, batch_size, shuffled):
    """A dataset of (features, label) batches: every window once, features with a feature axis.

    `windows` are every window of the series in order, `labels` the value after each."""
    sample = checks.dataset(what, outcome)
    count, window_size = windows.shape
    if sample.truncated:
        batches = f"{count} windows in {-(-count // batch_size)} batches of {batch_size}"
        raise Failure(what, batches, "more than 4 batches")
    seen_features, seen_labels = [], []
    for number, (features, label) in enumerate(checks.batch_pairs(what, sample)):
        here = f"{what}: batch {number + 1}"
        rows = min(batch_size, count - number * batch_size)
        if features.ndim not in (2, 3):
            raise Failure(here, "features of shape (batch, window, 1)", checks.describe(features))
        if features.ndim == 2 or features.shape[-1] != 1:
            hint = " (add the feature axis: tf.expand_dims(series, axis=-1))" if features.ndim == 2 else ""
            raise Failure(
                here, f"features of shape ({rows}, {window_size}, 1)", f"shape {features.shape}{hint}"
            )
        if features.shape != (rows, window_size, 1):
            raise Failure(here, f"features of shape ({rows}, {window_size}, 1)", f"shape {features.shape}")
        if label.shape not in ((rows,), (rows, 1)):
            raise Failure(here, f"labels of shape ({rows}, 1) or ({rows},)", checks.describe(label))
        seen_features.append(np.asarray(features, dtype=float)[..., 0])
        seen_labels.append(np.asarray(label, dtype=float).reshape(-1))
    features = np.concatenate(seen_features)
    label = np.concatenate(seen_labels)
    if len(features) != count:
        raise Failure(what, f"{count} windows in all (one per position)", f"{len(features)}")
    checks.window_positions(what, features, windows, atol=1e-4)
    if not shuffled:
        checks.close(f"{what}: features", features, windows, atol=1e-4, label="window values")
        checks.close(f"{what}: labels", label, labels, atol=1e-4, label="labels")
        return
    # Shuffled: each row must still be a whole window followed by its own label.
    order = np.abs(features[:, :1] - windows[:, 0]).argmin(axis=1)  # the series' values are distinct
    checks.close(f"{what}: shuffled windows", features, windows[order], atol=1e-4, label="window values")
    checks.close(
        f"{what}: the label after each shuffled window", label, labels[order], atol=1e-4, label="labels"
    )
    if sorted(order.tolist()) != list(range(count)):
        raise Failure(what, "every window exactly once", "some windows repeated or missing")
    if np.all(order == np.arange(count)):
        raise Failure(what, "the windows in shuffled order", "the windows in their original order")


def dataset(outcome, length, batch, buffer, shuffled, windows, labels):
    what = (
        f"windowed_dataset(series of {length} values, window_size={windows.shape[1]}, "
        f"batch_size={batch}, shuffle_buffer={buffer})"
    )
    check_windows(what, outcome, windows, labels, batch, shuffled)


# --- create_uncompiled_model and create_model ----------------------------------------------


def model_judges(check_architecture):
    """The judges of create_uncompiled_model and create_model, with `check_architecture(what, info,
    window_size)` for the week's architecture."""

    def uncompiled_model(outcome, window_size):
        what = "create_uncompiled_model()"
        check_architecture(what, checks.model(what, outcome), window_size)

    def compiled_model(outcome, window_size):
        what = "create_model()"
        info = checks.model(what, outcome)
        check_architecture(what, info, window_size)
        if not info.get("optimizer") or not info.get("loss"):
            raise Failure(what, "a compiled model (model.compile with a loss and an optimizer)", "no compile")

    return uncompiled_model, compiled_model


# --- model_forecast: the grader's forecast of the notebook's `model`, and the student's ------


def forecast_model(outcome, shared):
    """The notebook's `model`, which the grader forecast with; `shared` passes the forecast on."""
    what = "`model`, the trained model that model_forecast is tested with"
    shared["model"] = False
    checks.model(what, outcome)
    shared["model"], shared["forecast"] = True, outcome.forecast
    if outcome.forecast is None:
        raise Failure(what, "a model the grader can forecast with", outcome.forecast_error or "none")


def model_forecast(outcome, label, window_size, length, atol, shared):
    """model_forecast's result, compared with the grader's forecast of the same windows."""
    what = f"model_forecast(model, {label}, WINDOW_SIZE={window_size})"
    if shared.get("model") is False:
        return  # no model to forecast with: the case before this one says so
    value = checks.require_value(what, outcome, f"a numpy array of shape ({length},)")
    if isinstance(value, TypedArray) and value.shape == (length, 1):
        raise Failure(what, f"shape ({length},)", f"shape {value.shape} (flatten it: forecast[:, 0])")
    got = checks.array(what, outcome, shape=(length,))
    expected = shared.get("forecast")
    if expected is not None:
        checks.close(what, got, expected, atol=atol, rtol=1e-3, label="forecast")
