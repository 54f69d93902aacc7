"""Grade one submission: named stages, each a function with its inputs and outputs in the open.

    read_submission   the student's notebook rebuilt against the released master copy (`submission`)
    draw_cases        the tests' cases with this grading's random inputs, each probe with its id
    build_job         the graded notebook as a sandbox job: master setup cells, the student's
                      exercise cells, then the probes (calls of the student's functions)
    run_notebook      the job run in the sandbox; a cell that hangs, floods the output or kills
                      the process is left out of a re-run (`retry`), so one bad cell costs only the
                      tests that need it; the answers come back as plain data, decoded to outcomes
    forecast_models   the models the probes returned, re-loaded in a fresh sandbox to forecast
    judge_tests       each test's cases judged on their outcomes (`tscourse.checking.verdict`, the
                      rule `check` uses too)
    score_tests       each test's points, all or nothing, with its message
    assemble_result   the submission's Result

`Grader.grade` composes them within one deadline for the whole grading (`retry.Budget`). What
crosses the sandbox boundary, and how it is encoded, is `tscourse.checking.protocol`.
"""

from __future__ import annotations

import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import tscourse
from tscourse.checking import checks, protocol
from tscourse.checking.spec import Assignment, Case, Outcome
from tscourse.checking.verdict import Verdict, judge

from . import paths, sandbox
from .results import Result, TestResult, zero_result
from .retry import MIN_RUN_SECONDS, Attempt, Budget, RetryPolicy, describe_stop, limits_within
from .submission import Prepared, SubmissionError, prepare

FORECAST_RESERVE = 60.0  # seconds of the total kept for re-loading models and forecasting

SandboxRun = Callable[[Path, str, sandbox.Limits], sandbox.RunOutcome]  # (job folder, mode, limits)


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


# --- the stages -------------------------------------------------------------------------------


def read_submission(notebook: Path, assignment: Assignment) -> Prepared:
    """The submission's cells to run, rebuilt against the released notebook; raises SubmissionError."""
    return prepare(Path(notebook), paths.released_notebook(assignment.name), assignment.name)


@dataclass
class Draw:
    """The cases one grading judges, by test (grade_id), and the probe id of each case's probe."""

    cases: dict[str, list[Case]]
    probe_ids: dict[int, str] = field(init=False)  # id(case) -> "p0", "p1", ...

    def __post_init__(self):
        self.probe_ids = {id(case): f"p{number}" for number, case in enumerate(self.all())}

    def all(self) -> list[Case]:
        return [case for cases in self.cases.values() for case in cases]

    def probe_id(self, case: Case) -> str:
        return self.probe_ids[id(case)]

    @property
    def wants_forecast(self) -> bool:
        return any(case.forecast for case in self.all())


def draw_cases(assignment: Assignment, seed: int | None, hidden: bool = True) -> Draw:
    """Each test's cases on random inputs drawn from `seed` (a fresh draw when None)."""
    rng = np.random.default_rng(seed if seed is not None else secrets.randbits(63))
    return Draw(
        {
            test.grade_id: [case for case in test.cases(rng) if hidden or not case.hidden]
            for test in assignment.tests
        }
    )


def build_job(job_dir: Path, assignment: Assignment, prepared: Prepared, draw: Draw, attempt: Attempt):
    """Write the sandbox job of one run: the notebook's cells (those the attempt skips marked) and
    every probe the attempt has not given up, with the course copy the notebook reads."""
    job_dir.mkdir()
    job = protocol.JobWriter(job_dir, _course_copy(job_dir, assignment))
    for cell in prepared.cells:
        job.add_cell(cell.index, cell.source, cell.index in attempt.skipped_cells)
    for case in draw.all():
        if draw.probe_id(case) not in attempt.lost_probes:
            job.add_probe(draw.probe_id(case), case.probe)
    job.write()


@dataclass
class Executed:
    """What the notebook's runs left: each probe's outcome (by probe id), notes, and saved models."""

    outcomes: dict[str, Outcome]
    notes: list[str]
    models_dir: Path


def run_notebook(
    assignment: Assignment,
    prepared: Prepared,
    draw: Draw,
    workdir: Path,
    run_sandbox: SandboxRun,
    budget: Budget,
) -> Executed:
    """Run the notebook and its probes (again without what stopped a run) and read the answers."""
    reserve = FORECAST_RESERVE if draw.wants_forecast else 0.0
    cells = {cell.index: cell for cell in prepared.cells}
    policy = RetryPolicy(budget, cells, set(draw.probe_ids.values()), reserve)

    def run(attempt: Attempt) -> sandbox.RunOutcome:
        job_dir = workdir / f"run{attempt.number}"
        build_job(job_dir, assignment, prepared, draw, attempt)
        return run_sandbox(job_dir, "execute", attempt.limits)

    execution = policy.execute(run)
    out = workdir / f"run{execution.attempt.number}" / protocol.OUT_DIR
    notes = list(prepared.notes) + execution.notes

    def hide(text):
        return hide_paths(text, workdir, assignment.name)

    cell_report, _ = protocol.read_output(out, protocol.CELLS)
    for status in (cell_report or {}).get("cells", []):
        if isinstance(status, dict) and status.get("status") == "error":
            label = cells[status["index"]].label if status.get("index") in cells else "a cell"
            error = checks.explain(hide(str(status.get("error"))[:300]))
            notes.append(f"{label[0].upper()}{label[1:]} raised {error}")
    tree, arrays = protocol.read_output(out, protocol.PROBES)
    outcomes = {}
    for case in draw.all():
        probe_id = draw.probe_id(case)
        if probe_id in execution.lost_probes:
            outcomes[probe_id] = Outcome("lost", detail=execution.lost_probes[probe_id])
        else:
            outcomes[probe_id] = protocol.decode_probe((tree or {}).get(probe_id), arrays, case.probe.name)
            outcomes[probe_id].detail = hide(outcomes[probe_id].detail)
    return Executed(outcomes, notes, out / protocol.MODELS_DIR)


def forecast_models(
    assignment: Assignment,
    draw: Draw,
    executed: Executed,
    workdir: Path,
    run_sandbox: SandboxRun,
    budget: Budget,
):
    """Re-load the models the probes returned, in a fresh sandbox, and forecast with them: fills
    `forecast` and `forecast_report`, or `forecast_error`, of each forecast case's outcome."""
    outcomes = executed.outcomes
    wanted: list[tuple[Case, str]] = []
    for case in draw.all():
        outcome = outcomes[draw.probe_id(case)]
        value = outcome.value
        if case.forecast is None or outcome.status != "value" or not hasattr(value, "get"):
            continue
        if value.get("file"):
            wanted.append((case, value["file"]))
        else:
            outcome.forecast_error = value.get("save_error") or "the model could not be saved"
    if not wanted:
        return
    total, remaining = budget.limits.total_seconds, budget.remaining()
    if remaining < MIN_RUN_SECONDS:
        for case, _ in wanted:
            outcomes[draw.probe_id(case)].forecast_error = (
                f"no time was left to forecast with your model: the grading of this notebook "
                f"reached its limit of {total:.0f} s in total"
            )
        return
    job_dir = workdir / "evaluate"
    job_dir.mkdir()
    shutil.copytree(executed.models_dir, job_dir / protocol.MODELS_DIR)
    job = protocol.JobWriter(job_dir)
    for case, model_file in wanted:
        job.add_evaluation(
            draw.probe_id(case), Path(model_file).name, case.forecast.series, case.forecast.window_size
        )
    job.write()
    limits = limits_within(budget.limits, remaining)
    run = run_sandbox(job_dir, "evaluate", limits)
    tree, arrays = protocol.read_output(job_dir / protocol.OUT_DIR, protocol.EVALUATIONS)
    for case, _ in wanted:
        outcome = outcomes[draw.probe_id(case)]
        forecast, report, error = protocol.decode_forecast((tree or {}).get(draw.probe_id(case)), arrays)
        if forecast is not None:
            outcome.forecast, outcome.forecast_report = forecast, report
        elif error is not None:
            error = hide_paths(error, workdir, assignment.name)
            outcome.forecast_error = f"the saved model could not forecast: {checks.explain(error)}"
        else:
            outcome.forecast_error = describe_stop(run, "the forecast of your model", limits, total)


def judge_tests(assignment: Assignment, draw: Draw, outcomes: dict[str, Outcome]) -> dict[str, Verdict]:
    """Each test's verdict on its cases' outcomes (a hidden case's failure is marked "[hidden]")."""
    return {
        test.grade_id: judge(
            [(case, outcomes[draw.probe_id(case)]) for case in draw.cases[test.grade_id]], mark_hidden=True
        )
        for test in assignment.tests
    }


def score_tests(assignment: Assignment, verdicts: dict[str, Verdict]) -> list[TestResult]:
    """Each test's points, all or nothing, with its message and measurements."""
    results = []
    for test in assignment.tests:
        verdict = verdicts[test.grade_id]
        score = float(test.points) if verdict.passed else 0.0
        results.append(
            TestResult(test.grade_id, score, float(test.points), verdict.feedback(), verdict.measurements)
        )
    return results


def assemble_result(
    assignment: Assignment, student: str, tests: list[TestResult], notes: list[str]
) -> Result:
    total = sum(test.score for test in tests)
    return Result(student, assignment.name, total, assignment.max_score, tests, notes)


class Grader:
    """Grades submissions of one assignment, stage by stage; `slot` picks the sandbox user."""

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
        budget = Budget(self.limits, started + self.limits.total_seconds)
        try:
            prepared = read_submission(Path(notebook), self.assignment)
        except SubmissionError as exc:
            return zero_result(self.assignment, student, str(exc))
        workdir = self.work_root / f"{student}-{secrets.token_hex(4)}"
        workdir.mkdir(parents=True)
        try:
            result = self.grade_prepared(prepared, student, workdir, budget)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            for log in self.work_root.glob(f"{workdir.name}*.log"):
                log.unlink(missing_ok=True)
        result.seconds = round(time.monotonic() - started, 2)
        return result

    def grade_prepared(self, prepared: Prepared, student: str, workdir: Path, budget: Budget) -> Result:
        """The stages after reading the submission, in `workdir`, within `budget`."""
        draw = draw_cases(self.assignment, self.seed, self.hidden)
        executed = run_notebook(self.assignment, prepared, draw, workdir, self.run_sandbox, budget)
        forecast_models(self.assignment, draw, executed, workdir, self.run_sandbox, budget)
        tests = score_tests(self.assignment, judge_tests(self.assignment, draw, executed.outcomes))
        return assemble_result(self.assignment, student, tests, executed.notes)

    def run_sandbox(self, job_dir: Path, mode: str, limits: sandbox.Limits) -> sandbox.RunOutcome:
        return sandbox.run(job_dir, mode, self.slot, limits, self.isolate)
