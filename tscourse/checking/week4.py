"""Week 4's judges: parsing, windowed datasets, Conv1D + LSTM models, model_forecast, the threshold.

Weeks 4 and 5 share the dataset, model and model_forecast judges. Expected values come from outside.
"""

from __future__ import annotations

import numpy as np

from . import checks
from .spec import Failure
from .values import Opaque, TypedArray

# --- exercise 1: parse_data_from_file --------------------------------------------------------


def _typed(what, name, value, kinds, kind_text, hint):
    """Fail unless one returned item is a numpy array whose dtype is of the given kinds."""
    expected = f"`{name}` as a numpy array of {kind_text}"
    if isinstance(value, Opaque) and value.pytype in ("ndarray", "list", "tuple"):
        text = " ".join(value.text.split())
        raise Failure(what, expected, f"an array of text ({text[:48]}...); {hint}")
    got = checks.array(f"{what}: {name}", checks.as_outcome(value), allow_list=False)
    if value.dtype.kind not in kinds:
        raise Failure(what, expected, f"dtype {value.dtype}; {hint}")
    return got


def parse(outcome, source, times, values):
    what = f"parse_data_from_file({source})"
    parts = checks.sequence(what, outcome, 2)
    got_times = _typed(what, "times", parts[0], "iu", "integers", "convert each time with int(row[0])")
    got_values = _typed(what, "values", parts[1], "f", "floats", "convert each value with float(row[2])")
    for name, got in (("times", got_times), ("values", got_values)):
        if got.ndim != 1 or len(got) != len(times):
            one_more = got.ndim == 1 and len(got) == len(times) + 1
            skipped = " (did you skip the header row?)" if one_more else ""
            raise Failure(
                f"{what}: {name}",
                f"{len(times)} values, one per data row",
                f"shape {tuple(got.shape)}{skipped}",
            )
    checks.close(f"{what}: first time step", got_times[:1], times[:1], label="time")
    checks.close(f"{what}: first value", got_values[:1], values[:1], label="value")
    checks.close(f"{what}: times", got_times, times, label="times")
    checks.close(f"{what}: values", got_values, values, atol=1e-6, label="values")


# --- exercise 2: windowed_dataset ------------------------------------------------------------


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


# --- exercises 3 and 4: the model ------------------------------------------------------------


def check_architecture(what, info, window_size):
    layers = list(info.get("layers") or [])
    shown = ", ".join(layers) or "no layers"
    if "Conv1D" not in layers:
        raise Failure(what, "a Conv1D layer", f"layers {shown}")
    if "LSTM" not in layers:
        raise Failure(what, "at least one LSTM layer", f"layers {shown}")
    checks.window_model_shapes(what, info, window_size)


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


uncompiled_model, compiled_model = model_judges(check_architecture)


# --- exercise 5: model_forecast --------------------------------------------------------------


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


# --- the threshold ---------------------------------------------------------------------------


def threshold(outcome, truth, mae_threshold):
    """The grader's forecast of the trained `model` over the validation period, scored by MAE."""
    what = "MAE of your trained model's forecast on the validation period (months 3000 on)"
    return checks.forecast_threshold(what, outcome, truth, "mae", checks.mae, mae_threshold)
