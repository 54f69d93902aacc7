"""Grading's stages with a fake sandbox: the runner's side played here through the protocol.

No root and no bubblewrap: `run_sandbox` is a function of this module that reads the job the grader
wrote (`protocol.JobReader`) and answers as the runner would, so the grader's stages are tested on
their own: build_job, run_notebook (with a re-run), forecast_models, judge_tests, score_tests.
"""

import numpy as np

from autograder import grading, retry
from autograder.sandbox import Limits, RunOutcome
from autograder.submission import GradingCell, Prepared
from tscourse.checking import protocol, spec
from tscourse.checking.spec import Assignment, Case, Failure, Forecast, call, variable
from tscourse.checking.values import Encoder

SERIES = np.arange(6.0)


def total_is_six(outcome):
    if outcome.status != "value" or outcome.value != 6:
        raise Failure("f(0, 1, 2)", 6, outcome.detail or outcome.value)
    return {"total": 6.0}


def forecasts_the_series(outcome):
    if outcome.forecast is None:
        raise Failure("the model's forecast", "a forecast", outcome.forecast_error)
    return {"points": len(outcome.forecast)}


ASSIGNMENT = Assignment(
    "demo",
    "A demonstration",
    [
        spec.Test("test_total", 1, "f", lambda rng: [Case("f", call("f", np.arange(3.0)), total_is_six)]),
        spec.Test(
            "test_model",
            2,
            "model",
            lambda rng: [
                Case("model", variable("model"), forecasts_the_series, forecast=Forecast(SERIES, 2))
            ],
        ),
    ],
)
PREPARED = Prepared(
    [
        GradingCell(0, "setup cell 1", "setup", "import numpy as np"),
        GradingCell(1, "your extra cell 1 after `f`", "extra", "while True: pass"),
        GradingCell(2, "exercise cell `f`", "exercise", "def f(x): return x.sum()"),
    ],
    notes=["A note from reading the submission."],
)


class FakeSandbox:
    """Run 0 hangs in cell 1; later runs answer every probe; "evaluate" forecasts with each model."""

    def __init__(self, clock, seconds):
        self.clock, self.calls, self.seconds = clock, [], seconds

    def __call__(self, job_dir, mode, limits):
        job = protocol.JobReader(job_dir)
        self.calls.append((job_dir.name, mode, limits, job.spec))
        self.clock.now += self.seconds.get(job_dir.name, 10.0)
        if mode == "evaluate":
            arrays: dict = {}
            answers = {
                task.id: protocol.forecast_answer(
                    task.id, job.inputs[task.series][task.window_size :], {}, arrays
                )
                for task in job.spec.evaluations
            }
            job.write_output(protocol.EVALUATIONS, answers, arrays)
            return RunOutcome("done", "done", 0.0, 10.0, 0, "")
        if job_dir.name == "run0":
            job.progress("cell", 1)
            return RunOutcome("timeout", "cell 1", 60.0, 60.0, -9, "")
        statuses = [
            {"index": 2, "status": "error", "error": f"OSError: {job_dir}/course/notebooks/demo/x.csv"}
        ]
        job.write_output(protocol.CELLS, {"cells": statuses}, {})
        (job.out / protocol.MODELS_DIR).mkdir()
        (job.out / protocol.MODELS_DIR / "m0.keras").write_bytes(b"a model")
        encoder = Encoder()
        answers = {
            "p0": encoder.encode(6),
            "p1": {"kind": "model", "pytype": "Sequential", "file": "m0.keras"},
        }
        job.write_output(protocol.PROBES, answers, encoder.arrays)
        return RunOutcome("done", "done", 0.0, 10.0, 0, "")


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def grade(tmp_path, **seconds):
    clock = Clock()
    budget = retry.Budget.start(Limits(cell_seconds=60.0, total_seconds=300.0), clock)
    sandbox = FakeSandbox(clock, seconds)
    draw = grading.draw_cases(ASSIGNMENT, seed=0)
    executed = grading.run_notebook(ASSIGNMENT, PREPARED, draw, tmp_path, sandbox, budget)
    grading.forecast_models(ASSIGNMENT, draw, executed, tmp_path, sandbox, budget)
    tests = grading.score_tests(ASSIGNMENT, grading.judge_tests(ASSIGNMENT, draw, executed.outcomes))
    return grading.assemble_result(ASSIGNMENT, "student", tests, executed.notes), sandbox.calls


def test_stages_compose_a_graded_result(tmp_path):
    result, calls = grade(tmp_path)
    assert [(name, mode) for name, mode, _, _ in calls] == [
        ("run0", "execute"),
        ("run1", "execute"),
        ("evaluate", "evaluate"),
    ]
    run0, run1 = calls[0][3], calls[1][3]
    assert run0.cwd == "course/notebooks/demo" and [c.skip for c in run1.cells] == [False, True, False]
    assert [probe.id for probe in run1.probes] == ["p0", "p1"]
    # the forecast reserve is kept out of the notebook's runs, not out of the forecast
    assert calls[0][2].total_seconds == 300.0 - grading.FORECAST_RESERVE
    assert calls[1][2].total_seconds == 300.0 - grading.FORECAST_RESERVE - 10.0
    assert calls[2][2].total_seconds == 300.0 - 20.0
    assert result.notes == [
        "A note from reading the submission.",
        "Your extra cell 1 after `f` did not finish within 60 s and was stopped; the notebook was run again "
        "without it.",
        "Exercise cell `f` raised OSError: x.csv",  # the sandbox's folders hidden
    ]
    assert [(t.name, t.score, t.message) for t in result.tests] == [
        ("test_total", 1.0, "Passed (total 6.00)."),
        ("test_model", 2.0, "Passed (points 4)."),
    ]
    assert result.score == result.max_score == 3.0


def test_no_time_left_to_forecast_is_said_and_costs_the_forecast_cases(tmp_path):
    result, calls = grade(tmp_path, run1=290.0)  # all 300 s spent: less than the minimum left to forecast
    assert [mode for _, mode, _, _ in calls] == ["execute", "execute"]
    test = result.tests[1]
    assert test.score == 0 and "no time was left to forecast with your model" in test.message
    assert "reached its limit of 300 s in total" in test.message
