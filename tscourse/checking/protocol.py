"""The sandbox job: what the grader puts into a job folder, what the runner writes back, and how.

Both sides import this module: the grader (`autograder.grading`) writes jobs with `JobWriter` and
reads answers with `read_output`, `decode_probe` and `decode_forecast`; the runner
(`runner.py`, inside the sandbox) reads jobs with `JobReader` and answers with `write_output`.
A student's own kernel uses the same entries (`tscourse.checking.notebook`). It imports nothing of
the grader and nothing heavy (numpy only), because it is copied into every job folder beside
`runner.py` and `values.py` (`RUNNER_FILES`).

A job folder JOB, as the runner sees it (mounted at /job in the sandbox):

    JOB/job.json         the JobSpec: the notebook's working folder, its cells, the probes, the
                         evaluations (each entry a dataclass below, stored as a JSON object)
    JOB/inputs.npz       the arrays that probe arguments and evaluations name (keys i0, i1, ...)
    JOB/files/           file arguments (`File`), written by the grader
    JOB/lib/, JOB/course/  the course package and data files a notebook reads (execute jobs)
    JOB/models/          the saved models to forecast with (evaluate jobs)
    JOB/out/progress     one line per step: "cell 3", "probe p2", "evaluate p2", then "done"
    JOB/out/NAME.json    a plain-data tree, and JOB/out/NAME.npz the arrays it refers to, for
                         NAME = "cells" ({"cells": [status, ...]}), "probes" ({probe id: answer})
                         and "evaluations" ({probe id: forecast or error})
    JOB/out/models/      the models that probes returned, saved as m0.keras, m1.keras, ...

Two modes run a job: "execute" runs the cells, then the probes; "evaluate" re-loads saved models
in a fresh process and forecasts, nothing else.

Probe kinds (`PROBE_KINDS`): "call" calls a notebook's function, "variable" reads a variable.
Argument kinds (`encode_argument` / `resolve_argument`, the one place that knows them):
    {"global": name}  a variable of the notebook (`Global`)
    {"array": key}    an array in inputs.npz (numpy arrays)
    {"file": name}    the path of a file in JOB/files (`File`)
    {"value": data}   plain JSON data (numbers, strings, lists, None)
A probe's answer is {"kind": "missing" | "not_callable" | "error", ...} or a value encoded by
`values.Encoder` (a tree whose arrays are in the .npz); `decode_probe` turns it into an `Outcome`.

Adding a kind of argument means: its class here, a branch in `encode_argument` and one in
`resolve_argument`, and the week that uses it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

if __package__:  # imported from the package (the grader, a student's kernel)
    from .values import decode as decode_value
else:  # imported by runner.py inside the sandbox, with values.py beside it
    from values import decode as decode_value

RUNNER_FILES = ("runner.py", "protocol.py", "values.py")  # copied from tscourse/checking into each job
JOB_FILE, INPUTS_FILE, FILES_DIR, MODELS_DIR, OUT_DIR = "job.json", "inputs.npz", "files", "models", "out"
PROGRESS_FILE = "progress"
CELLS, PROBES, EVALUATIONS = "cells", "probes", "evaluations"  # the runner's output names
DONE = "done"  # the last progress line of a run that finished
PROBE_KINDS = ("call", "variable")
FORECAST_REPORT_KEYS = ("changed_variables", "batch_difference")  # see runner.forecast
MAX_RESULT_BYTES = 200 * 2**20  # a larger output tree is not read


# --- the job's inputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Global:
    """An argument taken from the notebook's own variables (e.g. a window size it chose)."""

    name: str


@dataclass(frozen=True)
class File:
    """A file argument: the grader writes `content` into the sandbox and passes its path."""

    name: str
    content: bytes


@dataclass
class CellEntry:
    """One code cell of the graded notebook; a skipped cell is not run (it hung or crashed before)."""

    index: int
    source: str
    skip: bool = False


@dataclass
class ProbeEntry:
    """One probe as the runner reads it: its arguments are encoded (`encode_argument`)."""

    id: str
    kind: str  # one of PROBE_KINDS
    name: str
    args: list[dict] = field(default_factory=list)
    kwargs: dict[str, dict] = field(default_factory=dict)


@dataclass
class EvaluationEntry:
    """Forecast the array `series` (a key of inputs.npz) with the saved model JOB/models/`model`."""

    id: str
    model: str
    series: str
    window_size: int


@dataclass
class JobSpec:
    """job.json: where the notebook runs (relative to the job folder) and what the runner does."""

    cwd: str = "."
    cells: list[CellEntry] = field(default_factory=list)
    probes: list[ProbeEntry] = field(default_factory=list)
    evaluations: list[EvaluationEntry] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> JobSpec:
        return cls(
            cwd=data.get("cwd", "."),
            cells=[CellEntry(**cell) for cell in data.get("cells", [])],
            probes=[ProbeEntry(**probe) for probe in data.get("probes", [])],
            evaluations=[EvaluationEntry(**task) for task in data.get("evaluations", [])],
        )


def encode_argument(value, inputs: dict, files_dir: Path) -> dict:
    """A probe argument as the runner reads it; arrays go to `inputs`, files into `files_dir`."""
    if isinstance(value, Global):
        return {"global": value.name}
    if isinstance(value, File):
        (Path(files_dir) / value.name).write_bytes(value.content)
        return {"file": value.name}
    if isinstance(value, np.ndarray):
        key = f"i{len(inputs)}"
        inputs[key] = value
        return {"array": key}
    if isinstance(value, (np.integer, np.floating)):
        return {"value": value.item()}
    return {"value": value}


def resolve_argument(data: dict, namespace: dict, inputs: dict, files_dir: Path):
    """The Python value an encoded argument stands for (the runner's side of `encode_argument`)."""
    if "global" in data:
        return namespace[data["global"]]
    if "array" in data:
        return inputs[data["array"]].copy()
    if "file" in data:
        return str(Path(files_dir) / data["file"])
    return data.get("value")


def probe_entry(probe_id: str, probe, inputs: dict, files_dir: Path) -> ProbeEntry:
    """The runner's entry for a `spec.Probe` (anything with kind, name, args and kwargs)."""
    return ProbeEntry(
        probe_id,
        probe.kind,
        probe.name,
        [encode_argument(arg, inputs, files_dir) for arg in probe.args],
        {key: encode_argument(arg, inputs, files_dir) for key, arg in probe.kwargs.items()},
    )


def write_data(tree_path: Path, array_path: Path, tree, arrays: dict):
    """A plain-data tree as JSON and its arrays as .npz (arrays first: a tree found means both are there)."""
    np.savez(array_path, **arrays)
    Path(tree_path).write_text(json.dumps(tree))


class JobWriter:
    """The grader's side: a job folder being filled, then written with `write`."""

    def __init__(self, directory: Path, cwd: str = "."):
        self.dir = Path(directory)
        self.spec = JobSpec(cwd)
        self.inputs: dict[str, np.ndarray] = {}
        (self.dir / FILES_DIR).mkdir(parents=True, exist_ok=True)

    def add_cell(self, index: int, source: str, skip: bool = False):
        self.spec.cells.append(CellEntry(index, source, skip))

    def add_probe(self, probe_id: str, probe):
        self.spec.probes.append(probe_entry(probe_id, probe, self.inputs, self.dir / FILES_DIR))

    def add_evaluation(self, evaluation_id: str, model_file: str, series: np.ndarray, window_size: int):
        key = encode_argument(np.asarray(series), self.inputs, self.dir / FILES_DIR)["array"]
        self.spec.evaluations.append(EvaluationEntry(evaluation_id, model_file, key, int(window_size)))

    def write(self):
        write_data(self.dir / JOB_FILE, self.dir / INPUTS_FILE, self.spec.to_json(), self.inputs)


class JobReader:
    """The runner's side: the job as written, its progress line and its outputs."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.out = self.dir / OUT_DIR
        self.out.mkdir(exist_ok=True)
        self.files = self.dir / FILES_DIR
        self.models = self.dir / MODELS_DIR
        self.spec = JobSpec.from_json(json.loads((self.dir / JOB_FILE).read_text()))
        inputs = self.dir / INPUTS_FILE
        self.inputs = dict(np.load(inputs, allow_pickle=False)) if inputs.exists() else {}
        self._progress = open(self.out / PROGRESS_FILE, "a", buffering=1)

    def progress(self, kind: str, ident=None):
        """Say which step runs now ("cell 3"), so the grader can tell what was running if it stops."""
        self._progress.write(step_line(kind, ident) + "\n")
        self._progress.flush()

    def write_output(self, name: str, tree, arrays: dict):
        write_data(self.out / f"{name}.json", self.out / f"{name}.npz", tree, arrays)


# --- progress ---------------------------------------------------------------------------------


def step_line(kind: str, ident=None) -> str:
    return kind if ident is None else f"{kind} {ident}"


def parse_step(line: str | None) -> tuple[str, str]:
    """("cell", "3") for "cell 3"; ("", "") when there is no line."""
    kind, _, ident = (line or "").partition(" ")
    return kind, ident


# --- the job's outputs ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a probe produced, decoded: a value, or why there is none."""

    status: str  # "value", "missing", "error", "not_callable", "lost"
    value: Any = None
    detail: str = ""
    forecast: np.ndarray | None = None
    forecast_error: str = ""
    forecast_report: dict = field(default_factory=dict)  # see runner.forecast


def read_output(out: Path, name: str, max_bytes: int = MAX_RESULT_BYTES):
    """A runner output as (tree, arrays), tolerating anything the sandbox left behind: (None, {})
    when the tree is missing, too large or unreadable, or its arrays are."""
    tree_path, array_path = Path(out) / f"{name}.json", Path(out) / f"{name}.npz"
    if not tree_path.is_file() or tree_path.stat().st_size > max_bytes:
        return None, {}
    try:
        tree = json.loads(tree_path.read_text())
        with np.load(array_path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    except Exception:
        return None, {}
    return (tree if isinstance(tree, dict) else None), arrays


def decode_probe(answer, arrays: dict, name: str) -> Outcome:
    """The runner's answer to one probe, decoded, or why there is none."""
    if not isinstance(answer, dict):
        return Outcome("lost", detail="the grader received no result for this call")
    kind = answer.get("kind")
    if kind == "missing":
        return Outcome("missing", detail=name)
    if kind == "not_callable":
        return Outcome("not_callable", detail=name)
    if kind == "error":
        return Outcome("error", detail=str(answer.get("error", ""))[:400])
    try:
        return Outcome("value", decode_value(answer, arrays))
    except Exception:
        return Outcome("lost", detail="the grader could not read the value this call returned")


def forecast_answer(evaluation_id: str, values: np.ndarray, report: dict, arrays: dict) -> dict:
    """The runner's answer to one evaluation; `values` go to `arrays`."""
    arrays[evaluation_id] = values
    return {"kind": "forecast", "ref": evaluation_id, **report}


def decode_forecast(answer, arrays: dict) -> tuple[np.ndarray | None, dict, str | None]:
    """(forecast, report, error) from the runner's answer to one evaluation; all empty when it
    gave none (the run stopped first)."""
    if isinstance(answer, dict) and answer.get("kind") == "forecast" and answer.get("ref") in arrays:
        report = {
            key: float(answer[key])
            for key in FORECAST_REPORT_KEYS
            if isinstance(answer.get(key), (int, float))
        }
        return np.asarray(arrays[answer["ref"]], dtype=float), report, None
    if isinstance(answer, dict) and answer.get("kind") == "error":
        return None, {}, str(answer.get("error"))
    return None, {}, None
