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


class Failure(Exception):
    """A failed test case, with the message a student reads."""

    def __init__(self, what, expected, got):
        self.what, self.expected, self.got = what, expected, got
        super().__init__(f"Failed test case: {what}. Expected: {expected}, but got: {got}.")


@dataclass(frozen=True)
class File:
    """A file argument: the grader writes `content` into the sandbox and passes its path."""

    name: str
    content: bytes


@dataclass
class Probe:
    kind: str  # "call" or "variable"
    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Global:
    """An argument taken from the notebook's own variables (e.g. a window size it chose)."""

    name: str


def call(name, *args, **kwargs):
    return Probe("call", name, args, kwargs)


def variable(name):
    return Probe("variable", name)


@dataclass
class Forecast:
    """Ask the grader to forecast `series` with the model a probe returned.

    The model is re-loaded from the file the sandbox saved, in a fresh process, and
    forecasts every step after the first `window_size` values with one batched predict.
    """

    series: np.ndarray
    window_size: int


@dataclass
class Outcome:
    """What a probe produced, decoded: a value, or why there is none."""

    status: str  # "value", "missing", "error", "not_callable", "lost"
    value: Any = None
    detail: str = ""
    forecast: np.ndarray | None = None
    forecast_error: str = ""
    forecast_report: dict = field(default_factory=dict)  # see runner.forecast


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
