"""Instant feedback inside a student's notebook: the visible test cells call `run_tests`.

The cases are those recorded at release (see `record`) and the judges are the grader's own, so a
student reads the same messages here as in the graded feedback. This runs in the student's kernel,
on the student's own code, so it needs no sandbox.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from . import protocol, record, runner, verdict
from .spec import Case
from .values import Encoder


class TestsFailed(AssertionError):
    """Raised by a test cell when at least one visible case failed."""


def outcomes(cases: list[Case], namespace: dict):
    """(case, outcome) for each case, computed in this process."""
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        files, inputs = Path(tmp), {}
        for number, case in enumerate(cases):
            entry = protocol.probe_entry(f"p{number}", case.probe, inputs, files)
            models: list = []
            encoder = Encoder(save_model=lambda model, kept=models: kept.append(model) or "in-memory")
            result = runner.run_probe(entry, namespace, encoder, inputs, files)
            outcome = protocol.decode_probe(result, encoder.arrays, case.probe.name)
            if case.forecast is not None and models:
                try:
                    outcome.forecast, outcome.forecast_report = runner.forecast(
                        models[0], case.forecast.series, case.forecast.window_size
                    )
                except Exception as exc:
                    outcome.forecast_error = f"the model could not forecast: {runner.error_summary(exc)}"
            pairs.append((case, outcome))
    return pairs


def judge(cases: list[Case], namespace: dict):
    """The failure messages and the warnings of the cases (both empty when all pass cleanly)."""
    judged = verdict.judge(outcomes(cases, namespace))
    return judged.messages, judged.warnings


def show(grade_id: str, messages, warnings, passed="All tests passed."):
    """Print each failed case (or `passed`), and any warnings; raise if any failed."""
    for warning in warnings:
        print(f"\033[93mWarning: {warning}.\033[0m")
    if not messages:
        print(f"\033[92m{passed}\033[0m")
        return
    for message in messages:
        print(f"\033[91m{message}\033[0m")
    raise TestsFailed(f"{len(messages)} test case(s) failed for {grade_id}; see the messages above.")


def failures(assignment: str, grade_id: str, namespace: dict):
    """The failure messages of one test's visible cases (empty when all pass)."""
    return judge(record.visible_cases(assignment, grade_id), namespace)[0]


def run_tests(assignment: str, grade_id: str, namespace: dict):
    """Judge one test's visible cases on the notebook's own functions and variables."""
    show(grade_id, *judge(record.visible_cases(assignment, grade_id), namespace))
