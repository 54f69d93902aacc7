"""Grade one submission: run it in the sandbox, then judge its outputs outside.

The order of events:
1. `submission.prepare` rebuilds the notebook: student exercise cells, master setup cells.
2. The sandbox runs those cells and then the probes (calls of the student's functions on the
   grader's inputs), writing plain data. A cell that hangs, floods the output or kills the
   process is skipped on a re-run, so one bad cell costs only the tests that need it.
3. Models the probes returned are re-loaded in a fresh sandbox and asked for forecasts.
4. The checks compare everything with the grader's own references; each test's points are
   all or nothing, and every failure carries a message.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

import tscourse
from tscourse.checking import checks, probes, protocol
from tscourse.checking.spec import Assignment, Case, Failure, Outcome

from . import paths, sandbox
from .submission import Prepared, SubmissionError, prepare

MAX_ATTEMPTS = 8  # each re-run drops one cell or call that hung or crashed
FORECAST_RESERVE = 60.0  # seconds of the total kept for re-loading models and forecasting
MIN_RUN_SECONDS = 5.0  # a sandbox run is not started with less time than this left


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    message: str
    measurements: dict = field(default_factory=dict)


@dataclass
class Result:
    student: str
    assignment: str
    score: float
    max_score: float
    tests: list[TestResult]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    submission_sha256: str = ""  # what was graded; a re-run grades again when it differs
    # set by late.apply after grading: the score above is then the tests' points less late_penalty
    submitted_at: str = ""
    due_at: str = ""  # the assignment's due date plus the student's extension, if any
    extension: str = ""  # the student's extension, e.g. "2 d"; empty when none
    seconds_late: float = 0.0
    late_penalty: float = 0.0
    late_note: str = ""

    @property
    def raw_score(self) -> float:
        """The tests' points before any late penalty."""
        return float(sum(test.score for test in self.tests))

    def to_json(self):
        return asdict(self)

    @classmethod
    def from_json(cls, data):
        tests = [TestResult(**test) for test in data["tests"]]
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{**{k: v for k, v in data.items() if k in known}, "tests": tests})


def _measured(measurements):
    if not measurements:
        return ""
    shown = (
        f"{name} {value}" if isinstance(value, int) else f"{name} {value:.2f}"
        for name, value in measurements.items()
    )
    return " (" + ", ".join(shown) + ")"


def zero_result(assignment: Assignment, student: str, reason: str) -> Result:
    """Every test at zero, with the reason repeated where each test's message goes."""
    tests = [TestResult(t.grade_id, 0.0, float(t.points), f"Not graded: {reason}.") for t in assignment.tests]
    return Result(student, assignment.name, 0.0, assignment.max_score, tests, [f"Not graded: {reason}."])


def _course_copy(job_dir: Path, assignment: Assignment) -> str:
    """The course as a notebook sees it: a copy of `tscourse` (with the assignment's data) on the
    sandbox's import path, and notebooks/<week>/ beside data/ for notebooks that use relative paths."""
    package = job_dir / "lib" / "tscourse"
    (package / "data").mkdir(parents=True)
    shutil.copy(Path(tscourse.__file__), package / "__init__.py")
    shutil.copy(paths.DATA / "SOURCES.md", package / "data" / "SOURCES.md")
    notebook_dir = job_dir / "course" / "notebooks" / assignment.name
    notebook_dir.mkdir(parents=True)
    data_dir = job_dir / "course" / "data"
    data_dir.mkdir(parents=True)
    for name in assignment.data_files:
        shutil.copy(paths.DATA / name, data_dir / name)
        shutil.copy(paths.DATA / name, package / "data" / name)
    return f"course/notebooks/{assignment.name}"


def hide_paths(text: str, workdir: Path, assignment: str) -> str:
    """A message from the sandbox without the grader's own folders in it.

    Paths inside the job folder become relative to the notebook's folder (as the student
    wrote them), and the Python environment's folders are shortened.
    """
    text = re.sub(rf"{re.escape(str(workdir))}/(run\d+|evaluate)/", "/job/", text)
    for prefix, short in (
        (f"/job/course/notebooks/{assignment}/", ""),
        ("/job/course/", "../../"),
        ("/job/", ""),
        (f"{sys.prefix}/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages/", ""),
        (f"{sys.base_prefix}/lib/python{sys.version_info.major}.{sys.version_info.minor}/", ""),
    ):
        text = text.replace(prefix, short)
    return text


def _describe_stop(outcome: sandbox.RunOutcome, label: str, limits: sandbox.Limits, total: float) -> str:
    """Why a sandbox run stopped, naming the limits as they are stated (`total` for the whole grading)."""
    if outcome.status == "timeout":
        return f"{label} did not finish within {limits.cell_seconds:.0f} s and was stopped"
    if outcome.status == "output_limit":
        return f"{label} printed more than {limits.output_bytes // 2**20} MB of output and was stopped"
    if outcome.status == "total_timeout":
        return f"the grading of this notebook reached its limit of {total:.0f} s in total"
    return (
        f"the Python process ended while running {label} (os._exit, a killed process, "
        "or memory use over the limit)"
    )


class Grader:
    """Grades submissions of one assignment; `slot` picks the sandbox user."""

    def __init__(
        self,
        assignment: Assignment,
        work_root: Path,
        slot: int = 0,
        seed: int | None = None,
        isolate: bool = True,
        hidden: bool = True,
        limits: sandbox.Limits | None = None,
    ):
        self.assignment = assignment
        self.work_root = Path(work_root)
        self.slot = slot
        self.seed = seed
        self.isolate = isolate  # False only for a student's self-check of their own notebook
        self.hidden = hidden
        self.limits = limits or sandbox.Limits(
            cell_seconds=assignment.cell_seconds, total_seconds=assignment.total_seconds
        )

    def grade(self, notebook: Path, student: str) -> Result:
        """Grade one notebook; everything (every run, re-run and the forecast) fits in total_seconds."""
        started = time.monotonic()
        self._deadline = started + self.limits.total_seconds
        try:
            prepared = prepare(
                Path(notebook), paths.released_notebook(self.assignment.name), self.assignment.name
            )
        except SubmissionError as exc:
            return zero_result(self.assignment, student, str(exc))
        workdir = self.work_root / f"{student}-{secrets.token_hex(4)}"
        workdir.mkdir(parents=True)
        try:
            result = self._grade_prepared(prepared, student, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            for log in self.work_root.glob(f"{workdir.name}*.log"):
                log.unlink(missing_ok=True)
        result.seconds = round(time.monotonic() - started, 2)
        return result

    def _grade_prepared(self, prepared: Prepared, student: str, workdir: Path) -> Result:
        seed = self.seed if self.seed is not None else secrets.randbits(63)
        rng = np.random.default_rng(seed)
        cases = {
            test.grade_id: [case for case in test.cases(rng) if self.hidden or not case.hidden]
            for test in self.assignment.tests
        }
        probe_ids = {id(case): f"p{n}" for n, case in enumerate(c for cs in cases.values() for c in cs)}
        reserve = FORECAST_RESERVE if any(c.forecast for cs in cases.values() for c in cs) else 0.0
        outcomes, notes = self._execute(prepared, cases, probe_ids, workdir, reserve)
        self._forecast(cases, probe_ids, outcomes, workdir)
        tests = []
        for test in self.assignment.tests:
            messages, measurements, warnings = [], {}, []
            for case in cases[test.grade_id]:
                try:
                    measured = case.check(outcomes[probe_ids[id(case)]])
                    if isinstance(measured, dict):
                        measured, warning = probes.split_warning(measured)
                        measurements.update(measured)
                        warnings += [warning] if warning else []
                except Failure as failure:
                    messages.append(("[hidden] " if case.hidden else "") + str(failure))
                except Exception as exc:  # a check that trips on odd data must not crash the batch
                    messages.append(
                        f"Failed test case: {case.what}. The result could not be checked ({exc})."
                    )
            score = 0.0 if messages else float(test.points)
            message = " ".join(messages) or "Passed" + _measured(measurements) + "." + "".join(
                f" Warning: {warning}." for warning in warnings
            )
            tests.append(TestResult(test.grade_id, score, float(test.points), message, measurements))
        total = sum(test.score for test in tests)
        return Result(student, self.assignment.name, total, self.assignment.max_score, tests, notes)

    def _hide(self, text: str, workdir: Path) -> str:
        return hide_paths(text, workdir, self.assignment.name)

    def _remaining(self, reserve: float = 0.0) -> float:
        return self._deadline - reserve - time.monotonic()

    def _limits_within(self, limits: sandbox.Limits, seconds: float) -> sandbox.Limits:
        """`limits` cut down so that a run ends within `seconds`."""
        return dataclasses.replace(
            limits, total_seconds=seconds, cell_seconds=min(limits.cell_seconds, seconds)
        )

    def _execute(self, prepared, cases, probe_ids, workdir, reserve):
        notes = list(prepared.notes)
        skipped_cells: set[int] = set()
        lost_probes: dict[str, str] = {}
        labels = {cell.index: cell.label for cell in prepared.cells}
        roles = {cell.index: cell.role for cell in prepared.cells}
        limits, slowed, total = self.limits, None, self.limits.total_seconds
        run, job_dir = None, None
        for attempt in range(MAX_ATTEMPTS):
            remaining = self._remaining(reserve)
            if remaining < MIN_RUN_SECONDS and run is not None:
                run = dataclasses.replace(run, status="total_timeout")
                break
            job_dir = workdir / f"run{attempt}"
            job_dir.mkdir()
            job = protocol.JobWriter(job_dir, _course_copy(job_dir, self.assignment))
            for cell in prepared.cells:
                job.add_cell(cell.index, cell.source, cell.index in skipped_cells)
            for test_cases in cases.values():
                for case in test_cases:
                    if probe_ids[id(case)] not in lost_probes:
                        job.add_probe(probe_ids[id(case)], case.probe)
            job.write()
            run_limits = self._limits_within(limits, max(remaining, MIN_RUN_SECONDS))
            run = sandbox.run(job_dir, "execute", self.slot, run_limits, self.isolate)
            if run.status == "timeout" and run_limits.cell_seconds < limits.cell_seconds:
                run = dataclasses.replace(run, status="total_timeout")  # cut short by the total
            if run.finished or run.status == "total_timeout" or not run.step:
                break
            kind, ident = protocol.parse_step(run.step)
            if kind == "cell" and ident.isdigit() and roles.get(int(ident)) == "setup" and slowed is None:
                # The course's own setup code may have been slow (a busy machine), not the student's:
                # run again with twice the time before blaming the cell.
                slowed = ident
                limits = dataclasses.replace(limits, cell_seconds=2 * limits.cell_seconds)
                continue
            if kind == "cell" and ident.isdigit() and int(ident) in labels:
                reason = _describe_stop(run, labels[int(ident)], limits, total)
                notes.append(f"{reason[0].upper()}{reason[1:]}; the notebook was run again without it.")
                skipped_cells.add(int(ident))
                if ident == slowed:  # it hung with twice the time too: not a slow machine, a hang
                    limits = self.limits
            elif kind == "probe" and ident in probe_ids.values():
                lost_probes[ident] = _describe_stop(run, "this test's call of your function", limits, total)
            else:
                break
        if not run.finished:
            notes.append(f"Grading stopped early: {_describe_stop(run, 'the notebook', limits, total)}.")
        cell_report, _ = protocol.read_output(job_dir / protocol.OUT_DIR, protocol.CELLS)
        for status in (cell_report or {}).get("cells", []):
            if isinstance(status, dict) and status.get("status") == "error":
                label = labels.get(status.get("index"), "a cell")
                error = checks.explain(self._hide(str(status.get("error"))[:300], workdir))
                notes.append(f"{label[0].upper()}{label[1:]} raised {error}")
        tree, arrays = protocol.read_output(job_dir / protocol.OUT_DIR, protocol.PROBES)
        outcomes = {}
        for test_cases in cases.values():
            for case in test_cases:
                probe_id = probe_ids[id(case)]
                if probe_id in lost_probes:
                    outcomes[probe_id] = Outcome("lost", detail=lost_probes[probe_id])
                else:
                    outcomes[probe_id] = protocol.decode_probe(
                        (tree or {}).get(probe_id), arrays, case.probe.name
                    )
                    outcomes[probe_id].detail = self._hide(outcomes[probe_id].detail, workdir)
        self._models_dir = job_dir / protocol.OUT_DIR / protocol.MODELS_DIR
        return outcomes, notes

    def _forecast(self, cases, probe_ids, outcomes, workdir):
        """Re-load the models the probes returned, in a fresh sandbox, and forecast."""
        wanted: list[tuple[Case, str]] = []
        for test_cases in cases.values():
            for case in test_cases:
                outcome = outcomes[probe_ids[id(case)]]
                value = outcome.value
                if case.forecast is None or outcome.status != "value" or not hasattr(value, "get"):
                    continue
                if value.get("file"):
                    wanted.append((case, value["file"]))
                else:
                    outcome.forecast_error = value.get("save_error") or "the model could not be saved"
        if not wanted:
            return
        total, remaining = self.limits.total_seconds, self._remaining()
        if remaining < MIN_RUN_SECONDS:
            for case, _ in wanted:
                outcomes[probe_ids[id(case)]].forecast_error = (
                    f"no time was left to forecast with your model: the grading of this notebook "
                    f"reached its limit of {total:.0f} s in total"
                )
            return
        job_dir = workdir / "evaluate"
        job_dir.mkdir()
        shutil.copytree(self._models_dir, job_dir / protocol.MODELS_DIR)
        job = protocol.JobWriter(job_dir)
        for case, model_file in wanted:
            job.add_evaluation(
                probe_ids[id(case)], Path(model_file).name, case.forecast.series, case.forecast.window_size
            )
        job.write()
        limits = self._limits_within(self.limits, remaining)
        run = sandbox.run(job_dir, "evaluate", self.slot, limits, self.isolate)
        tree, arrays = protocol.read_output(job_dir / protocol.OUT_DIR, protocol.EVALUATIONS)
        for case, _ in wanted:
            outcome = outcomes[probe_ids[id(case)]]
            forecast, report, error = protocol.decode_forecast((tree or {}).get(probe_ids[id(case)]), arrays)
            if forecast is not None:
                outcome.forecast, outcome.forecast_report = forecast, report
            elif error is not None:
                error = self._hide(error, workdir)
                outcome.forecast_error = f"the saved model could not forecast: {checks.explain(error)}"
            else:
                outcome.forecast_error = _describe_stop(run, "the forecast of your model", limits, total)
