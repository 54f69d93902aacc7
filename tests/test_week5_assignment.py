"""Week 5 checks on passing and failing inputs, without the sandbox; one sandboxed variant."""

import numpy as np
import pytest
from conftest import scores, solution_with

from autograder import paths
from autograder.assignments import week5
from tscourse.checking.spec import Failure, File, Global, Outcome
from tscourse.checking.values import ModelInfo, TypedArray


def cases(grade_id, hidden=False, seed=1):
    test = week5.ASSIGNMENT.test(grade_id)
    return [c for c in test.cases(np.random.default_rng(seed)) if c.hidden == hidden]


def typed(data, pytype="ndarray", dtype=None):
    return TypedArray(np.asarray(data, dtype=dtype), pytype)


def value(data, pytype="ndarray"):
    return Outcome("value", typed(data, pytype))


def failure_message(case, outcome):
    with pytest.raises(Failure) as caught:
        case.check(outcome)
    return str(caught.value)


# --- the data ---------------------------------------------------------------------------------


def test_reference_parse_of_the_file():
    values = week5.ref_parse(week5.paths.DATA / week5.DATA_FILE)
    dates = week5.dates_of(values)
    assert values[0] == pytest.approx(3.2) and values[31] == pytest.approx(-1.5)  # 1 Jan, 1 Feb 1772
    assert str(dates[-1]) == "2021-12-31"
    assert np.isnan(values).sum() == 306  # 2021 after 28 February
    dates, series = week5.load_series()
    assert str(dates[-1]) == "2021-02-28" and not np.isnan(series).any()
    assert series[-1] == pytest.approx(5.4)


def test_assignment_period():
    data = week5.assignment_data()
    assert data["split_time"] == 2922 and len(data["series"]) == 3712
    assert data["normalised"][: data["split_time"]].mean() == pytest.approx(0, abs=1e-9)


def test_reference_fill_missing():
    filled = week5.ref_fill_missing([4.0, np.nan, 6.0, 7.5, np.nan, np.nan, 9.0, 8.0, np.nan])
    np.testing.assert_allclose(filled, [4, 5, 6, 7.5, 8, 8.5, 9, 8])


# --- parse_data_from_file ---------------------------------------------------------------------


def test_parse_passes_and_fails_with_hints():
    case = cases("test_parse_data_from_file")[0]
    (argument,) = case.probe.args
    assert (
        argument.name == week5.DATA_FILE and argument.content == (paths.DATA / week5.DATA_FILE).read_bytes()
    )
    expected = week5.ref_parse(week5.paths.DATA / week5.DATA_FILE)
    case.check(value(expected))
    assert "tenths of a degree" in failure_message(case, value(expected * 10))
    dropped = expected[~np.isnan(expected)]
    assert "keep a day whose value is -999 as np.nan" in failure_message(case, value(dropped))
    assert "-999 left in the values" in failure_message(case, value(np.nan_to_num(expected, nan=-99.9)))
    assert "None (the placeholder is still there)" in failure_message(case, Outcome("value", None))


def test_hidden_parse_file_has_a_missing_day_and_calendar_gaps():
    case = cases("test_parse_data_from_file", hidden=True)[0]
    (argument,) = case.probe.args
    assert isinstance(argument, File)
    text = argument.content.decode()
    expected = week5.ref_parse_text(text)
    years = len(text.splitlines()) // 31
    assert len(expected) == sum(366 if week5.calendar.isleap(y) else 365 for y in _years(text))
    assert np.isnan(expected).any()
    case.check(value(expected))
    every_row = np.array([int(v) / 10 for line in text.splitlines() for v in line.split()[2:]])
    message = failure_message(case, value(every_row))
    assert "skip the days that do not exist" in message or "-999" in message, message
    assert years >= 2


def _years(text):
    return sorted({int(line.split()[0]) for line in text.splitlines()})


def test_parse_in_file_order_fails():
    case = cases("test_parse_data_from_file")[0]
    expected = week5.ref_parse(week5.paths.DATA / week5.DATA_FILE)
    shuffled = expected.copy()
    shuffled[:2] = shuffled[1::-1]
    message = failure_message(case, value(shuffled))
    assert "in date order" in message


# --- fill_missing and normalise ---------------------------------------------------------------


@pytest.mark.parametrize("hidden", [False, True])
def test_fill_missing_cases(hidden):
    case = cases("test_fill_missing", hidden)[0]
    (values,) = case.probe.args
    expected = week5.ref_fill_missing(values)
    case.check(value(expected))
    with_tail = np.append(expected, [expected[-1]] * int(np.isnan(values[-1])))
    assert "trailing NaN values dropped" in failure_message(case, value(with_tail))
    assert "no NaN values" in failure_message(case, value(values[: len(expected)]))


@pytest.mark.parametrize("hidden", [False, True])
def test_normalise_cases(hidden):
    case = cases("test_normalise", hidden)[0]
    series, split = case.probe.args
    normalised, mean, std = week5.ref_normalise(series, split)
    case.check(Outcome("value", (typed(normalised), mean, std)))
    whole = (series - series.mean()) / series.std()
    message = failure_message(case, Outcome("value", (typed(whole), series.mean(), series.std())))
    assert "use series[:split_time] only" in message


# --- the model and the threshold --------------------------------------------------------------


def model_info(layers=("GRU", "Dropout", "Dense"), **changes):
    info = {
        "kind": "model",
        "pytype": "Sequential",
        "layers": list(layers),
        "input_shape": [None, week5.WINDOW_SIZE, 1],
        "output_shape": [None, 1],
        "compiled": True,
        "loss": "huber_loss",
        "optimizer": "Adam",
        "iterations": 0,
    }
    info.update(changes)
    return ModelInfo(info)


def test_models_pass_and_fail():
    cases("test_create_model")[0].check(Outcome("value", model_info()))
    for layers, expected in [
        (("LSTM", "Dropout", "Dense"), "at least one GRU layer"),
        (("GRU", "Dense"), "a Dropout layer"),
    ]:
        message = failure_message(cases("test_create_model")[0], Outcome("value", model_info(layers)))
        assert expected in message


def test_forecast_cases_use_the_normalised_validation_period():
    model_case, call_case = cases("test_model_forecast")
    data = week5.assignment_data()
    start = data["split_time"] - week5.WINDOW_SIZE
    np.testing.assert_allclose(model_case.forecast.series, data["normalised"][start:], rtol=1e-6)
    assert call_case.probe.args[0] == Global("model")


def threshold_outcome(forecast, iterations=460):
    return Outcome("value", model_info(iterations=iterations), forecast=np.asarray(forecast, dtype=float))


def test_threshold_is_scored_in_degrees():
    data = week5.assignment_data()
    split, mean, std = data["split_time"], data["mean"], data["std"]
    truth = data["series"][split:]
    (case,) = cases("test_forecast_mae_threshold")
    good = truth + np.where(np.arange(len(truth)) % 2, 1.2, -1.2)  # MAE 1.2 in degrees
    measured = case.check(threshold_outcome((good - mean) / std))
    assert measured["mae"] == pytest.approx(1.2, abs=1e-6)
    naive = week5.ref_naive(data["series"], split)
    message = failure_message(case, threshold_outcome((naive - mean) / std))
    assert f"mae at most {week5.MAE_THRESHOLD:g}" in message


def test_baselines_fail_and_the_linear_model_is_recorded():
    measured = week5.baselines()
    simple = {name: mae for name, mae in measured.items() if "linear" not in name}
    assert len(simple) == 3 and min(simple.values()) > week5.MAE_THRESHOLD
    linear = measured[f"least-squares linear model over {week5.WINDOW_SIZE} days MAE"]
    assert linear <= week5.MAE_THRESHOLD  # book/week5/assignment.md says the linear model passes
    assert measured["naive MAE"] == pytest.approx(1.3839, abs=1e-4)


# --- sandboxed: a broken variant of the solution ----------------------------------------------


FULL_STATISTICS = """
def normalise(series, split_time):
    series = np.asarray(series, dtype=float)
    mean, std = series.mean(), series.std()
    return (series - mean) / std, mean, std
"""

NO_DROPOUT = """
def create_uncompiled_model():
    return tf.keras.Sequential(
        [tf.keras.Input(shape=(WINDOW_SIZE, 1)), tf.keras.layers.GRU(8), tf.keras.layers.Dense(1)]
    )
"""

UNTRAINED = """
model = create_model()
history = None
"""


@pytest.mark.slow
def test_broken_variant_is_graded_with_clear_messages(grade, tmp_path):
    replacements = {"normalise": FULL_STATISTICS, "create_uncompiled_model": NO_DROPOUT, "train": UNTRAINED}
    result = grade("week5", solution_with("week5", tmp_path, replacements))
    messages = {test.name: test.message for test in result.tests}
    assert scores(result) == {
        "test_parse_data_from_file": 2,
        "test_fill_missing": 1,
        "test_normalise": 0,
        "test_windowed_dataset": 1,
        "test_create_uncompiled_model": 0,
        "test_create_model": 0,
        "test_model_forecast": 1,
        "test_forecast_mae_threshold": 0,
    }, messages
    assert "use series[:split_time] only" in messages["test_normalise"]
    assert "a Dropout layer" in messages["test_create_uncompiled_model"]
    assert "never trained" in messages["test_forecast_mae_threshold"]
