"""The retry policy on a fake sandbox runner and a fake clock: no root, no bubblewrap, no waiting.

Each fake run says how the sandbox stopped (the status and the last progress line) and how many
seconds it took; the tests pin what the next run leaves out, its limits, and the notes.
"""

import pytest

from autograder import retry
from autograder.sandbox import Limits, RunOutcome
from autograder.submission import GradingCell

LIMITS = Limits(cell_seconds=60.0, total_seconds=300.0)
CELLS = {
    0: GradingCell(0, "setup cell 1", "setup", "import numpy as np"),
    1: GradingCell(1, "exercise cell `naive_forecast`", "exercise", "def naive_forecast(): ..."),
    2: GradingCell(2, "setup cell 2", "setup", "series = np.arange(10)"),
    3: GradingCell(3, "your extra cell 1 after `naive_forecast`", "extra", "while True: pass"),
}
PROBES = {"p0", "p1", "p2"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeSandbox:
    """Plays the scripted runs in order: (status, step, seconds); then every run finishes."""

    def __init__(self, clock, script):
        self.clock, self.script, self.attempts = clock, list(script), []

    def __call__(self, attempt):
        self.attempts.append(attempt)
        status, step, seconds = self.script.pop(0) if self.script else ("done", "done", 1.0)
        self.clock.now += seconds
        return RunOutcome(status, step, 0.0, seconds, 0 if status == "done" else -9, "")


def execute(script, reserve=0.0, limits=LIMITS, **policy):
    clock = Clock()
    budget = retry.Budget.start(limits, clock)
    sandbox = FakeSandbox(clock, script)
    execution = retry.RetryPolicy(budget, CELLS, PROBES, reserve, **policy).execute(sandbox)
    return execution, sandbox.attempts


def test_a_run_that_finishes_is_the_only_one():
    execution, attempts = execute([("done", "done", 12.0)])
    assert len(attempts) == 1 and execution.run.finished and execution.notes == []
    assert attempts[0] == retry.Attempt(0, frozenset(), frozenset(), Limits(60.0, 300.0))
    assert execution.attempt is attempts[0] and execution.lost_probes == {}


def test_a_student_cell_that_hangs_is_skipped_with_a_note():
    execution, attempts = execute([("timeout", "cell 3", 61.0)])
    assert [a.skipped_cells for a in attempts] == [frozenset(), {3}]
    assert execution.notes == [
        "Your extra cell 1 after `naive_forecast` did not finish within 60 s and was stopped; "
        "the notebook was run again without it."
    ]
    assert attempts[1].limits == Limits(60.0, 300.0 - 61.0)  # one deadline for every run


@pytest.mark.parametrize(
    "status, reason",
    [
        ("output_limit", "printed more than 2 MB of output and was stopped"),
        ("crashed", "The Python process ended while running exercise cell `naive_forecast` (os._exit"),
    ],
)
def test_a_cell_that_floods_or_crashes_is_skipped(status, reason):
    execution, attempts = execute([(status, "cell 1", 3.0)])
    assert attempts[1].skipped_cells == {1}
    assert reason in execution.notes[0] and execution.notes[0].endswith(
        "the notebook was run again without it."
    )


def test_a_setup_cell_that_hangs_is_run_again_with_double_time_before_it_is_blamed():
    execution, attempts = execute([("timeout", "cell 0", 61.0)])
    assert [a.limits.cell_seconds for a in attempts] == [60.0, 120.0]
    assert [a.skipped_cells for a in attempts] == [frozenset(), frozenset()]
    assert execution.notes == [] and execution.run.finished


def test_a_setup_cell_that_hangs_again_is_skipped_and_the_normal_limit_is_back():
    execution, attempts = execute([("timeout", "cell 0", 61.0), ("timeout", "cell 0", 121.0)])
    assert [a.limits.cell_seconds for a in attempts] == [60.0, 120.0, 60.0]
    assert attempts[2].skipped_cells == {0}
    assert execution.notes == [
        "Setup cell 1 did not finish within 120 s and was stopped; the notebook was run again without it."
    ]
    assert attempts[2].limits.total_seconds == 300.0 - 61.0 - 121.0


def test_only_the_first_setup_cell_that_hangs_gets_double_time():
    execution, attempts = execute([("timeout", "cell 0", 61.0), ("timeout", "cell 2", 121.0)])
    # cell 0 passed with twice the time; cell 2 hung within it: skipped at once, the doubled limit kept
    assert [a.limits.cell_seconds for a in attempts] == [60.0, 120.0, 118.0]
    assert attempts[2].skipped_cells == {2}
    assert execution.notes[0].startswith("Setup cell 2 did not finish within 120 s")


def test_a_probe_that_hangs_is_given_up_and_its_reason_kept():
    execution, attempts = execute([("timeout", "probe p1", 61.0)])
    assert [a.lost_probes for a in attempts] == [frozenset(), {"p1"}]
    assert execution.lost_probes == {
        "p1": "this test's call of your function did not finish within 60 s and was stopped"
    }
    assert execution.notes == [] and execution.run.finished


def test_a_step_that_is_no_cell_or_probe_of_this_job_ends_the_grading():
    execution, attempts = execute([("crashed", "probe p9", 1.0)])
    assert len(attempts) == 1
    assert execution.notes == [
        "Grading stopped early: the Python process ended while running the notebook (os._exit, "
        "a killed process, or memory use over the limit)."
    ]
    execution, attempts = execute([("crashed", None, 1.0)])  # it died before its first step
    assert len(attempts) == 1 and execution.notes[0].startswith("Grading stopped early")


def test_the_whole_grading_has_one_deadline():
    execution, attempts = execute(
        [("timeout", "cell 1", 61.0), ("timeout", "cell 3", 61.0), ("total_timeout", "cell 4", 178.0)]
    )
    assert [a.limits.total_seconds for a in attempts] == [300.0, 239.0, 178.0]
    assert len(attempts) == 3 and attempts[2].skipped_cells == {1, 3}
    assert (
        execution.notes[-1]
        == "Grading stopped early: the grading of this notebook reached its limit of 300 s in total."
    )
    assert execution.attempt is attempts[2]


def test_a_cell_limit_cut_by_the_deadline_counts_as_the_total_limit():
    """A cell stopped because too little of the total was left is not the cell's fault: no skip."""
    execution, attempts = execute([("timeout", "cell 1", 260.0), ("timeout", "cell 3", 40.0)], limits=LIMITS)
    assert attempts[1].limits.cell_seconds == 40.0 < LIMITS.cell_seconds
    assert len(attempts) == 2 and attempts[1].skipped_cells == {1}
    assert execution.run.status == "total_timeout"
    assert execution.notes[-1].endswith("reached its limit of 300 s in total.")


def test_no_run_starts_with_less_than_the_minimum_left():
    execution, attempts = execute([("timeout", "cell 1", 297.0)])
    assert len(attempts) == 1 and execution.run.status == "total_timeout"
    assert execution.attempt is attempts[0]  # the answers are read from the last run that ran
    assert execution.notes == [
        "Exercise cell `naive_forecast` did not finish within 60 s and was stopped; the notebook was run again without it.",
        "Grading stopped early: the grading of this notebook reached its limit of 300 s in total.",
    ]


def test_the_first_run_gets_the_minimum_even_when_the_time_is_spent():
    clock = Clock()
    budget = retry.Budget(LIMITS, clock.now + 1.0, clock)
    sandbox = FakeSandbox(clock, [])
    retry.RetryPolicy(budget, CELLS, PROBES).execute(sandbox)
    assert sandbox.attempts[0].limits == Limits(retry.MIN_RUN_SECONDS, retry.MIN_RUN_SECONDS)


def test_the_forecast_reserve_is_kept_out_of_every_run():
    execution, attempts = execute([("timeout", "cell 3", 61.0)], reserve=60.0)
    assert [a.limits.total_seconds for a in attempts] == [240.0, 179.0]
    execution, attempts = execute([("timeout", "cell 3", 236.0)], reserve=60.0)
    assert len(attempts) == 1 and execution.notes[-1].startswith("Grading stopped early: the grading")


def test_at_most_max_attempts_runs():
    script = [("crashed", f"probe p{n % 3}", 1.0) for n in range(3)] + [("crashed", "cell 1", 1.0)]
    script += [("crashed", "cell 3", 1.0)] * 10
    execution, attempts = execute(script, max_attempts=5)
    assert len(attempts) == 5 and not execution.run.finished
    assert execution.lost_probes.keys() == PROBES
    assert execution.notes[-1].startswith(
        "Grading stopped early: the Python process ended while running the notebook"
    )
