"""Instant feedback inside a student's notebook: the visible test cells call `run_tests`.

The cases and checks are the grader's own, so a student reads the same messages here as in
the graded feedback. Hidden cases are not run here. This runs in the student's kernel, on the
student's own code, so it needs no sandbox.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from . import assignments, runner
from .grading import Job, _outcome, split_warning
from .spec import Failure
from .values import Encoder


class TestsFailed(AssertionError):
    """Raised by a test cell when at least one visible case failed."""


def outcomes(assignment_name: str, grade_id: str, namespace: dict, hidden=False):
    """(case, outcome) for each case of one test, computed in this process.

    Students run the visible cases; the authored solution notebook also runs the hidden
    ones (on one fixed draw of their random inputs) to show that the reference passes them.
    """
    test = assignments.get(assignment_name).test(grade_id)
    rng = np.random.default_rng(2026)
    cases = [case for case in test.cases(rng) if case.hidden == hidden]
    with tempfile.TemporaryDirectory() as tmp:
        job = Job(Path(tmp), cwd=".")
        pairs = []
        for number, case in enumerate(cases):
            job.add_probe(f"p{number}", case.probe)
            models = []
            encoder = Encoder(save_model=lambda model, kept=models: kept.append(model) or "in-memory")
            entry = runner.run_probe(
                job.spec["probes"][-1], namespace, encoder, job.inputs, job.dir / "files"
            )
            outcome = _outcome(entry, encoder.arrays, case.probe.name)
            if case.forecast is not None and models:
                try:
                    outcome.forecast, outcome.forecast_report = runner.forecast(
                        models[0], case.forecast.series, case.forecast.window_size
                    )
                except Exception as exc:
                    outcome.forecast_error = f"the model could not forecast: {runner.error_summary(exc)}"
            pairs.append((case, outcome))
    return pairs


def judge(assignment_name: str, grade_id: str, namespace: dict, hidden=False):
    """The failure messages and the warnings of one test's cases (both empty when all pass cleanly)."""
    messages, warnings = [], []
    for case, outcome in outcomes(assignment_name, grade_id, namespace, hidden):
        try:
            measured = case.check(outcome)
        except Failure as failure:
            messages.append(str(failure))
            continue
        if isinstance(measured, dict):
            warning = split_warning(measured)[1]
            warnings += [warning] if warning else []
    return messages, warnings


def failures(assignment_name: str, grade_id: str, namespace: dict, hidden=False):
    """The failure messages of one test's cases (empty when all pass)."""
    return judge(assignment_name, grade_id, namespace, hidden)[0]


def run_tests(assignment_name: str, grade_id: str, namespace: dict, hidden=False):
    """Print each failed case (or "All tests passed."), and any warnings; raise if any failed."""
    messages, warnings = judge(assignment_name, grade_id, namespace, hidden)
    for warning in warnings:
        print(f"\033[93mWarning: {warning}.\033[0m")
    if not messages:
        print("\033[92mAll tests passed.\033[0m" if not hidden else "Hidden tests passed.")
        return
    for message in messages:
        print(f"\033[91m{message}\033[0m")
    raise TestsFailed(f"{len(messages)} test case(s) failed for {grade_id}; see the messages above.")
