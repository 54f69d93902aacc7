"""Plain-data encoding of Python values, so results can cross the sandbox boundary.

The sandbox runner encodes whatever a student's function returned into a JSON tree plus
numpy arrays; the trusted grader decodes that data without ever unpickling or executing it.
This module must stay importable on its own (it is copied into the sandbox next to the runner)
and must not import TensorFlow at module level.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

MAX_ARRAY_ELEMENTS = 2_000_000
MAX_TEXT = 400
MAX_DATASET_BATCHES = 4
MAX_SEQUENCE_ITEMS = 16


def short_repr(value, limit=MAX_TEXT):
    """repr() that never raises and never returns more than `limit` characters."""
    try:
        text = repr(value)
    except Exception as exc:  # a student's __repr__ may itself be broken
        text = f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Encoder:
    """Turn values into a JSON-able tree; arrays go to `self.arrays` under short keys."""

    def __init__(self, save_model=None):
        self.arrays: dict[str, np.ndarray] = {}
        self.save_model = save_model  # callable(model) -> file name, or None

    def _store(self, array):
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return key

    def encode(self, value, depth=0):
        if depth > 4:
            return {"kind": "other", "pytype": type(value).__name__, "repr": short_repr(value)}
        if value is None:
            return {"kind": "none"}
        if isinstance(value, (bool, np.bool_)):
            return {"kind": "number", "pytype": "bool", "value": bool(value)}
        if isinstance(value, numbers.Real) and not isinstance(value, np.ndarray):
            number = float(value)
            return {
                "kind": "number",
                "pytype": type(value).__name__,
                "value": number if math.isfinite(number) else str(number),
            }
        if isinstance(value, str):
            return {"kind": "str", "value": value[:MAX_TEXT]}
        if isinstance(value, np.ndarray):
            return self._array(value, "ndarray")
        module = type(value).__module__ or ""
        if module.startswith(("tensorflow", "keras")):
            return self._framework_value(value, depth)
        if isinstance(value, (list, tuple)):
            return self._sequence(value, depth)
        return {"kind": "other", "pytype": type(value).__name__, "repr": short_repr(value)}

    def _array(self, value, pytype):
        try:
            array = np.asarray(value)
        except Exception:
            return {"kind": "other", "pytype": pytype, "repr": short_repr(value)}
        if array.dtype.kind not in "biuf" or array.size > MAX_ARRAY_ELEMENTS:
            return {
                "kind": "other",
                "pytype": pytype,
                "repr": short_repr(value),
                "shape": list(array.shape),
                "dtype": str(array.dtype),
            }
        return {
            "kind": "array",
            "pytype": pytype,
            "dtype": str(array.dtype),
            "shape": list(array.shape),
            "ref": self._store(np.ascontiguousarray(array)),
        }

    def _sequence(self, value, depth):
        pytype = type(value).__name__
        if value and all(isinstance(v, numbers.Real) for v in value):
            return self._array(np.asarray(value), pytype)
        items = [self.encode(v, depth + 1) for v in list(value)[:MAX_SEQUENCE_ITEMS]]
        return {"kind": "sequence", "pytype": pytype, "length": len(value), "items": items}

    def _framework_value(self, value, depth):
        import tensorflow as tf

        if isinstance(value, (tf.Tensor, tf.Variable)):
            return self._array(value.numpy(), "Tensor")
        if isinstance(value, tf.data.Dataset):
            return self._dataset(value, depth)
        if isinstance(value, tf.keras.Model):
            return self._model(value)
        return {"kind": "other", "pytype": type(value).__name__, "repr": short_repr(value)}

    def _dataset(self, dataset, depth):
        batches = []
        truncated = False
        for index, element in enumerate(dataset):
            if index >= MAX_DATASET_BATCHES:
                truncated = True
                break
            batches.append(self.encode(_to_numpy(element), depth + 1))
        return {
            "kind": "dataset",
            "element_spec": short_repr(dataset.element_spec),
            "batches": batches,
            "truncated": truncated,
        }

    def _model(self, model):
        info = {"kind": "model", "pytype": type(model).__name__}
        info["layers"] = [type(layer).__name__ for layer in _all_layers(model)]
        info["layer_configs"] = [_layer_summary(layer) for layer in _all_layers(model)]
        info["input_shape"] = _shape_list(_safe(lambda: model.inputs[0].shape))
        info["output_shape"] = _shape_list(_safe(lambda: model.outputs[0].shape))
        info["params"] = _safe(lambda: int(model.count_params()))
        info["compiled"] = bool(getattr(model, "compiled", False) or getattr(model, "optimizer", None))
        info["loss"] = _loss_name(getattr(model, "loss", None))
        info["metrics"] = _metric_names(model)
        optimizer = getattr(model, "optimizer", None)
        info["optimizer"] = type(optimizer).__name__ if optimizer is not None else None
        info["iterations"] = _safe(lambda: int(optimizer.iterations.numpy())) if optimizer else 0
        if self.save_model is not None:
            try:
                info["file"] = self.save_model(model)
            except Exception as exc:
                info["save_error"] = f"{type(exc).__name__}: {exc}"[:MAX_TEXT]
        return info


def _safe(getter):
    try:
        return getter()
    except Exception:
        return None


def _shape_list(shape):
    if shape is None:
        return None
    return [None if dim is None else int(dim) for dim in shape]


def _to_numpy(element):
    if isinstance(element, (tuple, list)):
        return tuple(_to_numpy(part) for part in element)
    if isinstance(element, dict):
        return tuple(_to_numpy(part) for part in element.values())
    return element.numpy() if hasattr(element, "numpy") else element


def _all_layers(model):
    for layer in getattr(model, "layers", []):
        yield layer
        inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)
        if inner is not None:
            yield inner
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def _layer_summary(layer):
    summary = {"class": type(layer).__name__}
    for key in ("units", "filters", "kernel_size", "padding", "return_sequences", "activation"):
        value = _safe(lambda k=key: getattr(layer, k))
        if value is None:
            continue
        if callable(value):
            value = getattr(value, "__name__", type(value).__name__)
        summary[key] = value if isinstance(value, (int, str, bool)) else short_repr(value, 60)
    return summary


def _loss_name(loss):
    if loss is None:
        return None
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__


def _metric_names(model):
    names = []
    compiled = getattr(model, "_compile_config", None)
    config = _safe(lambda: compiled.config) if compiled is not None else None
    metrics = (config or {}).get("metrics") if isinstance(config, dict) else None
    for metric in _flatten(metrics):
        names.append(metric if isinstance(metric, str) else _loss_name(metric) or short_repr(metric, 60))
    return names


def _flatten(items):
    if items is None:
        return []
    if isinstance(items, dict):
        items = list(items.values())
    if not isinstance(items, (list, tuple)):
        return [items]
    flat = []
    for item in items:
        flat.extend(_flatten(item))
    return flat


def decode(tree, arrays):
    """Rebuild plain Python/numpy data from an encoded tree (the trusted side)."""
    kind = tree.get("kind")
    if kind == "array":
        array = arrays[tree["ref"]]
        return TypedArray(array, tree.get("pytype", "ndarray"))
    if kind == "number":
        value = tree["value"]
        return float(value) if isinstance(value, str) else value
    if kind == "sequence":
        items = [decode(item, arrays) for item in tree["items"]]
        return tuple(items) if tree.get("pytype") == "tuple" else items
    if kind == "dataset":
        return DatasetSample(
            [decode(batch, arrays) for batch in tree["batches"]],
            tree.get("truncated", False),
            tree.get("element_spec", ""),
        )
    if kind == "none":
        return None
    if kind == "str":
        return tree["value"]
    if kind == "model":
        return ModelInfo(tree)
    return Opaque(tree.get("pytype", "?"), tree.get("repr", ""))


class TypedArray(np.ndarray):
    """A numpy array that remembers what the student's value was (list, Tensor, ndarray)."""

    def __new__(cls, array, pytype):
        obj = np.asarray(array).view(cls)
        obj.pytype = pytype
        return obj

    def __array_finalize__(self, obj):
        self.pytype = getattr(obj, "pytype", "ndarray")


class DatasetSample:
    """The first batches of a tf.data.Dataset, as numpy arrays."""

    def __init__(self, batches, truncated, element_spec):
        self.batches = batches
        self.truncated = truncated
        self.element_spec = element_spec


class ModelInfo(dict):
    """What the grader knows about a Keras model: its structure and compile settings."""


class Opaque:
    """A value the grader cannot inspect further; only its type name and repr."""

    def __init__(self, pytype, text):
        self.pytype = pytype
        self.text = text

    def __repr__(self):
        return self.text or f"<{self.pytype}>"
