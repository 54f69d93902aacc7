"""Runs one submission inside the sandbox. Untrusted code executes in this process.

Usage (inside the sandbox, with `protocol.py` and `values.py` beside this file):

    python runner.py execute JOB_DIR   # run the notebook's cells, then the probes
    python runner.py evaluate JOB_DIR  # load saved models and forecast, nothing else

What JOB_DIR holds and what this script writes to JOB_DIR/out is the job protocol (`protocol.py`).
Progress lines ("cell 3", "probe p2", "done") let the grader tell which cell was running when it
had to stop the process. Nothing here decides a score: the grader reads the outputs as plain data
and judges them outside the sandbox.
"""

from __future__ import annotations

import os
import re
import sys
import time
import traceback
from pathlib import Path

import numpy as np

if __package__:  # imported from the package (a student's kernel, the grader)
    from . import protocol
    from .values import MAX_TEXT, Encoder
else:  # run as a script inside the sandbox, with protocol.py and values.py beside it
    import protocol
    from values import MAX_TEXT, Encoder


TF_NOISE = re.compile(r"\{\{function_node [^}]*\}\}|\[\[\{\{node [^}]*\}\}\]\]|\[Op:[^\]]*\]( name: ?)?")


def error_summary(exc):
    """The exception's type and message, without TensorFlow's graph stack and op names."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if "Detected at node" in text:  # a graph error lists the Python stack that built the op
        text = "\n".join(
            line
            for line in text.splitlines()
            if line.strip() and not line.strip().startswith(("File ", "Detected at node"))
        )
    text = TF_NOISE.sub("", text).replace("tensorflow.python.framework.errors_impl.", "").strip()
    return text[:MAX_TEXT]


def make_shell(job_dir, workdir):
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    os.chdir(Path(job_dir) / workdir)
    return shell


def run_cells(job: protocol.JobReader, shell):
    statuses = []
    for cell in job.spec.cells:
        if cell.skip:
            statuses.append({"index": cell.index, "status": "skipped"})
            continue
        job.progress("cell", cell.index)
        started = time.monotonic()
        result = shell.run_cell(cell.source, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        statuses.append(
            {
                "index": cell.index,
                "status": "error" if error is not None else "ok",
                "error": error_summary(error) if error is not None else None,
                "seconds": round(time.monotonic() - started, 3),
            }
        )
        _close_figures()
    return statuses


def _close_figures():
    if "matplotlib.pyplot" in sys.modules:
        try:
            sys.modules["matplotlib.pyplot"].close("all")
        except Exception:
            pass


def run_probes(job: protocol.JobReader, namespace):
    models = job.out / protocol.MODELS_DIR
    models.mkdir(exist_ok=True)

    def save_model(model):
        name = f"m{len(list(models.iterdir()))}.keras"
        model.save(models / name)
        return name

    encoder = Encoder(save_model=save_model)
    results = {}
    for probe in job.spec.probes:
        job.progress("probe", probe.id)
        results[probe.id] = run_probe(probe, namespace, encoder, job.inputs, job.files)
    return results, encoder.arrays


def run_probe(probe: protocol.ProbeEntry, namespace, encoder, inputs, files_dir):
    """Call the student's function (or read a variable) and encode what comes back."""
    name = probe.name
    if name not in namespace:
        return {"kind": "missing", "name": name}
    target = namespace[name]
    try:
        if probe.kind == "call":
            if not callable(target):
                return {"kind": "not_callable", "name": name, "pytype": type(target).__name__}
            args = [protocol.resolve_argument(arg, namespace, inputs, files_dir) for arg in probe.args]
            kwargs = {
                key: protocol.resolve_argument(arg, namespace, inputs, files_dir)
                for key, arg in probe.kwargs.items()
            }
            value = target(*args, **kwargs)
        else:
            value = target
        return encoder.encode(value)
    except BaseException as exc:  # the student's code may raise anything, SystemExit included
        return {"kind": "error", "error": error_summary(exc)}


def execute(job_dir):
    job = protocol.JobReader(job_dir)
    sys.path.insert(0, str(job.dir / "lib"))  # the grader's copy of the student package, tscourse
    shell = make_shell(job.dir, job.spec.cwd)
    statuses = run_cells(job, shell)
    job.write_output(protocol.CELLS, {"cells": statuses}, {})
    results, arrays = run_probes(job, shell.user_ns)
    job.write_output(protocol.PROBES, results, arrays)
    job.progress(protocol.DONE)


def model_windows(model, series, window_size):
    """Every window of `series` but the last value, shaped for the model's input, in time order."""
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(series)[:-1], window_size)
    windows = windows.astype("float32")
    if len(model.inputs[0].shape) == 3:
        windows = windows[..., np.newaxis]
    return windows


def forecast_alone(model, windows):
    """One forecast per window, each window passed alone, in time order.

    No window shares a call with another, so a model cannot read one window's target in the
    next window of the same batch; and whatever a model keeps between calls holds only earlier
    windows, the past. A compiled single-window call costs a few milliseconds.
    """
    import tensorflow as tf

    call = tf.function(lambda window: model(window, training=False), reduce_retracing=True)
    outputs = [np.asarray(call(windows[index : index + 1])).reshape(-1)[:1] for index in range(len(windows))]
    return np.concatenate(outputs).astype("float64") if outputs else np.zeros(0)


def forecast_batched(model, windows, batch_size=256):
    """The ordinary batched forecast, as a student's own model_forecast makes it."""
    predictions = model.predict(windows, batch_size=batch_size, verbose=0)
    return np.asarray(predictions, dtype="float64").reshape(len(windows), -1)[:, 0]


def _variable_values(model):
    """Copies of every variable a model holds, weights and states alike.

    A stateful RNN keeps its states outside `model.variables`, so each layer's attributes
    are searched for variables too.
    """
    import keras
    import tensorflow as tf

    found: dict[int, object] = {}
    for layer in model._flatten_layers(include_self=True, recursive=True):
        candidates = list(layer.variables)
        for value in vars(layer).values():
            candidates += list(value) if isinstance(value, (list, tuple)) else [value]
        for candidate in candidates:
            if isinstance(candidate, (keras.Variable, tf.Variable)):
                found.setdefault(id(candidate), candidate)
    return [np.array(variable.numpy(), copy=True) for variable in found.values()]


def forecast(model, series, window_size):
    """Forecast every step after the first window, each window alone, and report how honest it was.

    Returns (forecast, report): `report["changed_variables"]` counts the model's variables
    (weights or states) that changed while it forecast, and `report["batch_difference"]` is the
    largest gap between this forecast and an ordinary batched one; both are 0 for a model whose
    forecast of a window depends on that window alone.
    """
    windows = model_windows(model, series, window_size)
    before = _variable_values(model)
    values = forecast_alone(model, windows)
    changed = sum(
        not np.array_equal(old, new, equal_nan=True)
        for old, new in zip(before, _variable_values(model), strict=False)
    )
    return values, {
        "changed_variables": int(changed),
        "batch_difference": _batch_difference(model, windows, values),
    }


def _batch_difference(model, windows, values):
    """The largest gap between `values` and the model's ordinary batched forecast (0 if it cannot batch)."""
    try:
        batched = forecast_batched(model, windows)
    except Exception:  # e.g. a model built for one fixed batch size; the forecast above stands
        return 0.0
    if not len(values) or np.array_equal(batched, values, equal_nan=True):
        return 0.0
    difference = float(np.nanmax(np.abs(batched - values)))
    return difference if np.isfinite(difference) else float("inf")


def evaluate(job_dir):
    """Load each saved model in a fresh process and forecast the series the grader chose."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    job = protocol.JobReader(job_dir)
    results, arrays = {}, {}
    for task in job.spec.evaluations:
        job.progress("evaluate", task.id)
        try:
            model = keras.models.load_model(job.models / task.model, compile=False, safe_mode=False)
            values, report = forecast(model, job.inputs[task.series], int(task.window_size))
            results[task.id] = protocol.forecast_answer(task.id, values, report, arrays)
        except BaseException as exc:
            results[task.id] = {"kind": "error", "error": error_summary(exc)}
    job.write_output(protocol.EVALUATIONS, results, arrays)
    job.progress(protocol.DONE)


if __name__ == "__main__":
    mode, directory = sys.argv[1], sys.argv[2]
    {"execute": execute, "evaluate": evaluate}[mode](directory)
