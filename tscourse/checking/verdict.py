"""The judging rule, once: a test's cases and their outcomes become a verdict.

The grader (`autograder.grading`), a student's test cell and `python -m tscourse check`
(`notebook.judge`) all judge with `judge`, so a student reads the same messages everywhere. A
judge raises `Failure` with the message a student reads, or returns measurements (a dict, which
may hold a "warning" text); a judge that trips on odd data still answers, with a failure. A test
passes only when every case passes: its points are all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .spec import Case, Failure, Outcome


@dataclass
class Verdict:
    """One test's cases judged: the failure messages, and what the passing cases measured."""

    messages: list[str] = field(default_factory=list)
    measurements: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.messages

    def feedback(self) -> str:
        """The failures, or "Passed" with the measurements and any warnings."""
        if self.messages:
            return " ".join(self.messages)
        return (
            "Passed" + _measured(self.measurements) + "." + "".join(f" Warning: {w}." for w in self.warnings)
        )


def judge(pairs: Iterable[tuple[Case, Outcome]], mark_hidden: bool = False) -> Verdict:
    """Judge each (case, outcome); with `mark_hidden` a hidden case's failure says "[hidden]"."""
    verdict = Verdict()
    for case, outcome in pairs:
        try:
            measured = case.check(outcome)
        except Failure as failure:
            verdict.messages.append(("[hidden] " if mark_hidden and case.hidden else "") + str(failure))
            continue
        except Exception as exc:  # a check that trips on odd data must not crash the batch
            verdict.messages.append(
                f"Failed test case: {case.what}. The result could not be checked ({exc})."
            )
            continue
        if isinstance(measured, dict):
            measured, warning = split_warning(measured)
            verdict.measurements.update(measured)
            verdict.warnings += [warning] if warning else []
    return verdict


def split_warning(measured: dict):
    """A check's measurements without its optional "warning" text, and that text (or None).

    A check passes with a warning by returning {"warning": "..."} (with or without numbers);
    the warning is added to the passing message and never costs points.
    """
    measured = dict(measured)
    warning = measured.pop("warning", None)
    return measured, (str(warning) if warning else None)


def _measured(measurements: dict) -> str:
    if not measurements:
        return ""
    shown = (
        f"{name} {value}" if isinstance(value, int) else f"{name} {value:.2f}"
        for name, value in measurements.items()
    )
    return " (" + ", ".join(shown) + ")"
