"""Run a notebook in the sandbox again and again, dropping what stopped it, within one deadline.

A run stops at the step that hung, flooded the output or killed the process (the sandbox reports
the last progress line, "cell 3" or "probe p2"). `RetryPolicy` decides what the next run leaves
out, and writes the notes a student reads:

- a cell of the course's own setup code that stops the run is first run again with twice the
  per-cell time (a busy machine is not the student's fault); if it stops again it is skipped and
  the normal per-cell limit is back;
- any other cell of the notebook that stops the run is skipped in the next run (one note each);
- a probe (the grader's call of a student's function) that stops the run is dropped, and its
  cases fail with the reason;
- every run of one submission shares one deadline (`Budget`), less a reserve kept for the
  forecast; no run starts with less than MIN_RUN_SECONDS left, and a run cut short by that
  deadline ends the grading ("reached its limit of ... s in total");
- at most MAX_ATTEMPTS runs.

The policy runs nothing itself: it is given a callable that runs one `Attempt` and returns the
sandbox's `RunOutcome`, so its rules are tested with a fake runner and a fake clock.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tscourse.checking import protocol

from .sandbox import Limits, RunOutcome
from .submission import GradingCell

MAX_ATTEMPTS = 8  # each re-run drops one cell or call that hung or crashed
MIN_RUN_SECONDS = 5.0  # a sandbox run is not started with less time than this left


def limits_within(limits: Limits, seconds: float) -> Limits:
    """`limits` cut down so that a run ends within `seconds`."""
    return dataclasses.replace(limits, total_seconds=seconds, cell_seconds=min(limits.cell_seconds, seconds))


def describe_stop(outcome: RunOutcome, label: str, limits: Limits, total: float) -> str:
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


@dataclass
class Budget:
    """One submission's time: the limits it is graded with and one deadline for all its runs."""

    limits: Limits
    deadline: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def start(cls, limits: Limits, clock: Callable[[], float] = time.monotonic) -> Budget:
        return cls(limits, clock() + limits.total_seconds, clock)

    def remaining(self, reserve: float = 0.0) -> float:
        return self.deadline - reserve - self.clock()


@dataclass(frozen=True)
class Attempt:
    """One run to make: its number, what it leaves out, and its limits (cut to the time left)."""

    number: int
    skipped_cells: frozenset[int]
    lost_probes: frozenset[str]
    limits: Limits


@dataclass
class Execution:
    """How the runs ended: the last run and its attempt, the notes, and the probes given up."""

    run: RunOutcome
    attempt: Attempt
    notes: list[str] = field(default_factory=list)
    lost_probes: dict[str, str] = field(default_factory=dict)  # probe id -> why it has no answer


class RetryPolicy:
    """Decides each next run from how the last one stopped (see the module's docstring)."""

    def __init__(
        self,
        budget: Budget,
        cells: dict[int, GradingCell],  # by index: how notes name each cell, and its role
        probe_ids: set[str],
        reserve: float = 0.0,
        max_attempts: int = MAX_ATTEMPTS,
    ):
        self.budget = budget
        self.cells = cells
        self.probe_ids = set(probe_ids)
        self.reserve = reserve
        self.max_attempts = max_attempts

    def execute(self, run: Callable[[Attempt], RunOutcome]) -> Execution:
        """Run attempts with `run` until one finishes, the time is spent or nothing can be dropped."""
        shipped = self.budget.limits
        total = shipped.total_seconds
        limits, slowed = shipped, None  # slowed: the setup cell given twice the time, if any
        skipped: set[int] = set()
        lost: dict[str, str] = {}
        notes: list[str] = []
        outcome, attempt = None, None
        for number in range(self.max_attempts):
            remaining = self.budget.remaining(self.reserve)
            if remaining < MIN_RUN_SECONDS and outcome is not None:
                outcome = dataclasses.replace(outcome, status="total_timeout")
                break
            attempt = Attempt(
                number,
                frozenset(skipped),
                frozenset(lost),
                limits_within(limits, max(remaining, MIN_RUN_SECONDS)),
            )
            outcome = run(attempt)
            if outcome.status == "timeout" and attempt.limits.cell_seconds < limits.cell_seconds:
                outcome = dataclasses.replace(outcome, status="total_timeout")  # cut short by the total
            if outcome.finished or outcome.status == "total_timeout" or not outcome.step:
                break
            kind, ident = protocol.parse_step(outcome.step)
            index = int(ident) if kind == "cell" and ident.isdigit() else None
            cell = self.cells.get(index) if index is not None else None
            if cell is not None and cell.role == "setup" and slowed is None:
                # The course's own setup code may have been slow (a busy machine), not the student's:
                # run again with twice the time before blaming the cell.
                slowed = ident
                limits = dataclasses.replace(limits, cell_seconds=2 * limits.cell_seconds)
                continue
            if cell is not None:
                reason = describe_stop(outcome, cell.label, limits, total)
                notes.append(f"{reason[0].upper()}{reason[1:]}; the notebook was run again without it.")
                skipped.add(index)
                if ident == slowed:  # it hung with twice the time too: not a slow machine, a hang
                    limits = shipped
            elif kind == "probe" and ident in self.probe_ids:
                lost[ident] = describe_stop(outcome, "this test's call of your function", limits, total)
            else:
                break
        if not outcome.finished:
            notes.append(f"Grading stopped early: {describe_stop(outcome, 'the notebook', limits, total)}.")
        return Execution(outcome, attempt, notes, lost)
