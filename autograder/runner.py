"""Runs one submission inside the sandbox. Untrusted code executes in this process.

Usage (inside the sandbox, with `values.py` beside this file):

    python runner.py execute JOB_DIR   # run the notebook's cells, then the probes
    python runner.py evaluate JOB_DIR  # load saved models and forecast, nothing else

JOB_DIR holds `job.json` and `inputs.npz` written by the grader; everything this script
produces goes to JOB_DIR/out. Progress lines ("cell 3", "probe p2", "done") let the grader
tell which cell was running when it had to stop the process. Nothing here decides a score:
the grader reads the outputs as plain data and judges them outside the sandbox.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

import numpy as np

try:  # inside the sandbox values.py is a sibling file; in the package it is a submodule
    from values import MAX_TEXT, Encoder
except ImportError:  # pragma: no cover - depends on how the module is loaded
    from autograder.values import MAX_TEXT, Encoder


class Job:
    def __init__(self, job_dir):
        self.dir = Path(job_dir)
        self.out = self.dir / "out"
        self.out.mkdir(exist_ok=True)
        self.spec = json.loads((self.dir / "job.json").read_text())
        inputs = self.dir / "inputs.npz"
        self.inputs = dict(np.load(inputs, allow_pickle=False)) if inputs.exists() else {}
        self._progress = open(self.out / "progress", "a", buffering=1)

    def progress(self, line):
        self._progress.write(line + "\n")
        self._progress.flush()

    def write_results(self, name, results, arrays):
        np.savez(self.out / f"{name}.npz", **arrays)
        (self.out / f"{name}.json").write_text(json.dumps(results))


def resolve(spec, namespace, inputs, files_dir):
    """The Python value a probe argument stands for."""
    if "global" in spec:
        return namespace[spec["global"]]
    if "array" in spec:
        return inputs[spec["array"]].copy()
    if "file" in spec:
        return str(Path(files_dir) / spec["file"])
    return spec.get("value")


def error_summary(exc):
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text[:MAX_TEXT]


def make_shell(job_dir, workdir):
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    os.chdir(Path(job_dir) / workdir)
    return shell


def run_cells(job, shell):
    statuses = []
    for cell in job.spec["cells"]:
        if cell.get("skip"):
            statuses.append({"index": cell["index"], "status": "skipped"})
            continue
        job.progress(f"cell {cell['index']}")
        started = time.monotonic()
        result = shell.run_cell(cell["source"], store_history=False)
        error = result.error_before_exec or result.error_in_exec
        statuses.append(
            {
                "index": cell["index"],
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


def run_probes(job, namespace):
    models = job.out / "models"
    models.mkdir(exist_ok=True)

    def save_model(model):
        name = f"m{len(list(models.iterdir()))}.keras"
        model.save(models / name)
        return name

    encoder = Encoder(save_model=save_model)
    results = {}
    for probe in job.spec["probes"]:
        job.progress(f"probe {probe['id']}")
        results[probe["id"]] = run_probe(probe, namespace, encoder, job.inputs, job.dir / "files")
    return results, encoder.arrays


def run_probe(probe, namespace, encoder, inputs, files_dir):
    """Call the student's function (or read a variable) and encode what comes back."""
    name = probe["name"]
    if name not in namespace:
        return {"kind": "missing", "name": name}
    target = namespace[name]
    try:
        if probe["kind"] == "call":
            if not callable(target):
                return {"kind": "not_callable", "name": name, "pytype": type(target).__name__}
            args = [resolve(spec, namespace, inputs, files_dir) for spec in probe.get("args", [])]
            kwargs = {
                key: resolve(spec, namespace, inputs, files_dir)
                for key, spec in probe.get("kwargs", {}).items()
            }
            value = target(*args, **kwargs)
        else:
            value = target
        return encoder.encode(value)
    except BaseException as exc:  # the student's code may raise anything, SystemExit included
        return {"kind": "error", "error": error_summary(exc)}


def execute(job_dir):
    job = Job(job_dir)
    shell = make_shell(job.dir, job.spec["cwd"])
    statuses = run_cells(job, shell)
    job.write_results("cells", {"cells": statuses}, {})
    results, arrays = run_probes(job, shell.user_ns)
    job.write_results("probes", results, arrays)
    job.progress("done")


def forecast(model, series, window_size, batch_size=256):
    """Forecast every step after the first window with one batched predict call."""
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], window_size)
    windows = windows.astype("float32")
    input_shape = model.inputs[0].shape
    if len(input_shape) == 3:
        windows = windows[..., np.newaxis]
    predictions = model.predict(windows, batch_size=batch_size, verbose=0)
    return np.asarray(predictions, dtype="float64").reshape(len(windows), -1)[:, 0]


def evaluate(job_dir):
    """Load each saved model in a fresh process and forecast the series the grader chose."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    job = Job(job_dir)
    results, arrays = {}, {}
    for task in job.spec["evaluations"]:
        job.progress(f"evaluate {task['id']}")
        try:
            model = keras.models.load_model(
                job.dir / "models" / task["model"], compile=False, safe_mode=False
            )
            series = job.inputs[task["series"]]
            values = forecast(model, series, int(task["window_size"]))
            arrays[task["id"]] = values
            results[task["id"]] = {"kind": "forecast", "ref": task["id"]}
        except BaseException as exc:
            results[task["id"]] = {"kind": "error", "error": error_summary(exc)}
    job.write_results("evaluations", results, arrays)
    job.progress("done")


if __name__ == "__main__":
    mode, directory = sys.argv[1], sys.argv[2]
    {"execute": execute, "evaluate": evaluate}[mode](directory)
