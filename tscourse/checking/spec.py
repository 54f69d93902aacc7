"""How an assignment's tests are described: probes run in the sandbox, checks run in the grader
(or, for the visible cases, in the student's own kernel).

A *probe* asks the sandbox for one value: the result of calling a student's function on inputs
the grader chose, or the value of a variable left by the notebook. A *case* pairs a probe with
a judge, a plain function that judges the decoded value and raises `Failure` with a message.
A *test* is one nbgrader grade cell: a name, its points, and the cases that decide it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .protocol import File, Global, Outcome

# File, Global and Outcome are the protocol's (how arguments cross into the sandbox, what comes back);
# an assignment names them from here with the rest of its vocabulary.
__all__ = [
    "Assignment",
    "Case",
    "Failure",
    "File",
    "Forecast",
    "Global",
    "Outcome",
    "Probe",
    "Shared",
    "Test",
]
__all__ += ["call", "variable"]


class Failure(Exception):
    """A failed test case, with the message a student reads."""

    def __init__(self, what, expected, got):
        self.what, self.expected, self.got = what, expected, got
        super().__init__(f"Failed test case: {what}. Expected: {expected}, but got: {got}.")


@dataclass
class Probe:
    """What to ask the sandbox for; its arguments are numbers, arrays, `Global`s or `File`s
    (the argument kinds of `protocol`, which says how each crosses into the sandbox)."""

    kind: str  # "call" or "variable" (protocol.PROBE_KINDS)
    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


def call(name, *args, **kwargs):
    return Probe("call", name, args, kwargs)


def variable(name):
    return Probe("variable", name)


@dataclass
class Forecast:
    """Ask the grader to forecast `series` with the model a probe returned.

    The model is re-loaded from the file the sandbox saved, in a fresh process, and forecasts
    every step after the first `window_size` values, each window passed alone in time order;
    one ordinary batched predict of the same windows is compared with it (`runner.forecast`),
    so that a model whose forecast of a window reads other windows of its batch is caught.
    """

    series: np.ndarray
    window_size: int


class Shared(dict):
    """State that the cases of one test pass along (one case's value judges the next); named so that
    recorded cases can share it again."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name


@dataclass
class Case:
    """A probe and how to judge it: `judge(outcome, **params)` raises `Failure` or returns measurements.

    A judge is a function of `tscourse.checking` (what a student has too); `params` hold the
    expected values, which the grader computes with its reference code and a released course
    carries as recorded data (see `tscourse.checking.record`).
    """

    what: str
    probe: Probe
    judge: Callable[..., Any]
    params: dict = field(default_factory=dict)
    hidden: bool = False
    forecast: Forecast | None = None

    def check(self, outcome: Outcome):
        return self.judge(outcome, **self.params)


@dataclass
class Test:
    grade_id: str
    points: float
    title: str
    cases: Callable[[np.random.Generator], list[Case]]


@dataclass
class Assignment:
    name: str
    title: str
    tests: list[Test]
    data_files: tuple[str, ...] = ()
    cell_seconds: float = 60.0
    total_seconds: float = 300.0

    def test(self, grade_id) -> Test:
        for test in self.tests:
            if test.grade_id == grade_id:
                return test
        raise KeyError(grade_id)

    @property
    def max_score(self):
        return float(sum(test.points for test in self.tests))
