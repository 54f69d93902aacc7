"""Week 1 checks on passing and failing inputs, without the sandbox."""

import numpy as np
import pytest

from autograder.assignments import week1
from tscourse.checking.spec import Failure, Outcome
from tscourse.checking.values import TypedArray


def value(data, pytype="ndarray"):
    return Outcome("value", TypedArray(np.asarray(data, dtype=float), pytype))


def cases(grade_id, hidden=False):
    test = week1.ASSIGNMENT.test(grade_id)
    return [c for c in test.cases(np.random.default_rng(1)) if c.hidden == hidden]


def reference_outcome(case):
    function = {
        "naive_forecast": week1.ref_naive,
        "moving_average_forecast": week1.ref_moving_average,
        "seasonal_difference": week1.ref_difference,
    }[case.probe.name]
    return value(function(*case.probe.args))


@pytest.mark.parametrize(
    "grade_id", ["test_naive_forecast", "test_moving_average_forecast", "test_seasonal_difference"]
)
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_passes(grade_id, hidden):
    for case in cases(grade_id, hidden):
        case.check(reference_outcome(case))


def failure_message(case, outcome):
    with pytest.raises(Failure) as caught:
        case.check(outcome)
    return str(caught.value)


def test_none_left_in_place():
    case = cases("test_moving_average_forecast")[0]
    message = failure_message(case, Outcome("value", None))
    assert message == (
        "Failed test case: moving_average_forecast of 10 values with window 3. "
        "Expected: a numpy array of length 7, but got: None (the placeholder is still there)."
    )


def test_list_instead_of_array():
    case = cases("test_moving_average_forecast")[0]
    good = week1.ref_moving_average(*case.probe.args)
    message = failure_message(case, value(good, pytype="list"))
    assert "but got: a list" in message and "np.array" in message


def test_wrong_length_off_by_one_window():
    case = cases("test_moving_average_forecast")[0]
    series, window = case.probe.args
    off_by_one = np.array([series[i : i + window].mean() for i in range(len(series) - window + 1)])
    assert "Expected: a numpy array of length 7, but got: length 8" in failure_message(
        case, value(off_by_one)
    )


def test_wrong_values_name_the_first_difference():
    case = cases("test_naive_forecast")[0]
    wrong = week1.ref_naive(*case.probe.args).copy()
    wrong[3] += 1
    message = failure_message(case, value(wrong))
    assert "at index 3" in message and "1 of 361 values differ" in message


def test_missing_function_and_errors():
    case = cases("test_naive_forecast")[0]
    assert "`naive_forecast` is not defined" in failure_message(
        case, Outcome("missing", detail="naive_forecast")
    )
    assert "an error: ZeroDivisionError" in failure_message(
        case, Outcome("error", detail="ZeroDivisionError: division by zero")
    )


def test_metrics_accept_numpy_scalars_and_reject_swapped_order():
    case = cases("test_compute_metrics")[0]
    true, forecast = case.probe.args
    mse, mae = week1.ref_metrics(true, forecast)
    case.check(value([mse, mae], pytype="tuple"))
    assert "mse" in failure_message(case, value([mae, mse], pytype="tuple"))


def test_threshold_rejects_naive_and_accepts_reference():
    (case,) = cases("test_forecast_mae_threshold")
    _, series = week1.make_series()
    reference = week1.ref_diff_plus_smoothed_past(series, week1.SPLIT_TIME, week1.LAG, 50, 11)
    measured = case.check(value(reference))
    assert measured["mae"] < week1.MAE_THRESHOLD
    naive = week1.ref_naive(series, week1.SPLIT_TIME)
    assert "lower than the naive" in failure_message(case, value(naive))
    unsmoothed = week1.ref_diff_plus_past(series, week1.SPLIT_TIME, week1.LAG, 50)
    assert f"mae at most {week1.MAE_THRESHOLD:g}" in failure_message(case, value(unsmoothed))


def test_calibration_margins():
    baselines = week1.baselines()
    assert baselines["naive MAE"] > week1.MAE_THRESHOLD + 0.5
    assert baselines["noise floor MAE"] < week1.MAE_THRESHOLD
