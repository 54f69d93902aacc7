"""Week 4 checks on passing and failing inputs, without the sandbox; one sandboxed variant."""

import numpy as np
import pytest
from conftest import scores, solution_with

from autograder import paths
from autograder.assignments import week4
from tscourse.checking.spec import Failure, File, Global, Outcome
from tscourse.checking.values import DatasetSample, ModelInfo, Opaque, TypedArray


def cases(grade_id, hidden=False, seed=1):
    test = week4.ASSIGNMENT.test(grade_id)
    return [c for c in test.cases(np.random.default_rng(seed)) if c.hidden == hidden]


def typed(data, pytype="ndarray", dtype=None):
    return TypedArray(np.asarray(data, dtype=dtype), pytype)


def failure_message(case, outcome):
    with pytest.raises(Failure) as caught:
        case.check(outcome)
    return str(caught.value)


# --- parse_data_from_file ---------------------------------------------------------------------


def parsed(times, values, times_dtype="int64", values_dtype="float64"):
    return Outcome("value", (typed(times, dtype=times_dtype), typed(values, dtype=values_dtype)))


def test_reference_parse_matches_the_file():
    times, values = week4.load_series()
    assert len(times) == week4.SERIES_LENGTH == 3235
    assert times.dtype.kind == "i" and values.dtype.kind == "f"
    assert (times[0], values[0]) == (0, 96.7)
    assert times[-1] == 3234 and values[-1] == pytest.approx(1.6)


def test_parse_passes_with_the_right_arrays():
    case = cases("test_parse_data_from_file")[0]
    (argument,) = case.probe.args
    assert (
        argument.name == week4.DATA_FILE and argument.content == (paths.DATA / week4.DATA_FILE).read_bytes()
    )
    case.check(parsed(*week4.load_series()))


def test_hidden_parse_uses_a_generated_file():
    case = cases("test_parse_data_from_file", hidden=True)[0]
    (argument,) = case.probe.args
    assert isinstance(argument, File)
    text = argument.content.decode()
    assert text.startswith(",Date,Monthly Mean Total Sunspot Number\r\n") and text.endswith("\r\n")
    times, values = week4.ref_parse_text(text)
    case.check(parsed(times, values))
    message = failure_message(case, parsed(times, values + 1))
    assert "[hidden]" not in message  # the grader adds the prefix, not the check
    assert "first value" in message


def test_parse_float_times_fail_with_a_hint():
    times, values = week4.load_series()
    message = failure_message(
        cases("test_parse_data_from_file")[0], parsed(times, values, times_dtype="float64")
    )
    assert "`times` as a numpy array of integers" in message and "int(row[0])" in message


def test_parse_text_values_fail_with_a_hint():
    times, _ = week4.load_series()
    outcome = Outcome("value", (typed(times), Opaque("ndarray", "array(['96.7', '104.3'], dtype='<U5')")))
    message = failure_message(cases("test_parse_data_from_file")[0], outcome)
    assert "an array of text" in message and "float(row[2])" in message


def test_parse_lists_fail():
    times, values = week4.load_series()
    outcome = Outcome("value", (typed(times, "list"), typed(values)))
    message = failure_message(cases("test_parse_data_from_file")[0], outcome)
    assert "but got: a list" in message


def test_parse_wrong_length_fails():
    times, values = week4.load_series()
    message = failure_message(cases("test_parse_data_from_file")[0], parsed(times[:-1], values[:-1]))
    assert "Expected: 3235 values, one per data row, but got: shape (3234,)" in message


def test_parse_scalar_fails():
    message = failure_message(cases("test_parse_data_from_file")[0], parsed(3235, 96.7))
    assert "Expected: 3235 values, one per data row, but got: shape ()" in message


def test_parse_wrong_first_value_fails():
    times, values = week4.load_series()
    message = failure_message(cases("test_parse_data_from_file")[0], parsed(times, values[::-1].copy()))
    assert "first value" in message and "96.7" in message


def test_parse_times_off_by_one_fail():
    times, values = week4.load_series()
    message = failure_message(cases("test_parse_data_from_file")[0], parsed(times + 1, values))
    assert "first time step" in message and "Expected: time 0" in message


def test_parse_error_is_reported():
    outcome = Outcome("error", detail="ValueError: invalid literal for int() with base 10: ''")
    message = failure_message(cases("test_parse_data_from_file")[0], outcome)
    assert "invalid literal for int()" in message


# --- windowed_dataset -------------------------------------------------------------------------


def sample(series, window, batch, order=None, feature_axis=True, label_axis=True):
    """What a (possibly wrong) windowed_dataset returns, decoded: its first 4 batches."""
    windows, labels = week4.ref_windows(series, window)
    if order is not None:
        windows, labels = windows[order], labels[order]
    if feature_axis:
        windows = windows[..., np.newaxis]
    if label_axis:
        labels = labels[:, np.newaxis]
    batches = [
        (typed(windows[start : start + batch], "Tensor"), typed(labels[start : start + batch], "Tensor"))
        for start in range(0, len(windows), batch)
    ]
    return Outcome("value", DatasetSample(batches[:4], len(batches) > 4, ""))


def dataset_case(index=0, hidden=False, seed=1):
    case = cases("test_windowed_dataset", hidden, seed)[index]
    series, window, batch, buffer = case.probe.args
    return case, series, window, batch, buffer


def test_dataset_in_order_passes():
    case, series, window, batch, buffer = dataset_case(0)
    assert buffer == 1
    case.check(sample(series, window, batch))
    case.check(sample(series, window, batch, label_axis=False))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("index,hidden", [(1, False), (0, True)])
def test_dataset_shuffled_passes(seed, index, hidden):
    case, series, window, batch, _ = dataset_case(index, hidden, seed)
    count = len(series) - window
    assert -(-count // batch) <= 4  # every window fits in the batches the grader sees
    order = np.random.default_rng(seed).permutation(count)
    case.check(sample(series, window, batch, order))


def test_dataset_without_feature_axis_fails_with_a_hint():
    case, series, window, batch, _ = dataset_case(0)
    message = failure_message(case, sample(series, window, batch, feature_axis=False))
    assert "features of shape (10, 5, 1)" in message and "tf.expand_dims" in message


def test_dataset_window_too_long_fails():
    case, series, window, batch, _ = dataset_case(0)
    message = failure_message(case, sample(series, window + 1, batch))
    assert "features of shape (10, 5, 1)" in message and "(10, 6, 1)" in message


def test_dataset_label_from_inside_the_window_fails():
    case, series, window, batch, _ = dataset_case(0)
    windows, _ = week4.ref_windows(series, window)
    wrong = [
        (typed(windows[s : s + batch, :, None]), typed(windows[s : s + batch, -1:]))
        for s in range(0, len(windows), batch)
    ]
    message = failure_message(case, Outcome("value", DatasetSample(wrong, False, "")))
    assert "labels" in message and "Expected: labels 105" in message


def test_dataset_missing_last_window_fails():
    case, series, window, batch, _ = dataset_case(0)
    short = sample(series[:-1], window, batch)
    message = failure_message(case, short)
    assert "35 windows in all" in message or "features of shape (5, 5, 1)" in message


def test_dataset_not_shuffled_fails():
    case, series, window, batch, _ = dataset_case(1)
    message = failure_message(case, sample(series, window, batch))
    assert "Expected: the windows in shuffled order" in message


def test_dataset_shuffled_before_windowing_fails():
    case, series, window, batch, _ = dataset_case(1)
    shuffled = np.random.default_rng(0).permutation(series)
    message = failure_message(case, sample(shuffled, window, batch))
    assert "is not a window of the series (were the values shuffled before windowing?)" in message


def test_dataset_ignoring_batch_size_fails():
    case, series, window, _, _ = dataset_case(0)
    message = failure_message(case, sample(series, window, 1))
    assert "Expected: 35 windows in 4 batches of 10, but got: more than 4 batches" in message


def test_dataset_without_labels_fails():
    case, series, window, batch, _ = dataset_case(0)
    windows, _ = week4.ref_windows(series, window)
    only_features = [typed(windows[s : s + batch, :, None]) for s in range(0, len(windows), batch)]
    message = failure_message(case, Outcome("value", DatasetSample(only_features, False, "")))
    assert "a (features, labels) pair" in message


def test_dataset_none_fails():
    case = dataset_case(0)[0]
    message = failure_message(case, Outcome("value", None))
    assert "Expected: a tf.data.Dataset, but got: None (the placeholder is still there)" in message


# --- the model --------------------------------------------------------------------------------


def model_info(layers=("Rescaling", "Conv1D", "LSTM", "Dense", "Dense", "Rescaling"), **changes):
    info = {
        "kind": "model",
        "pytype": "Sequential",
        "layers": list(layers),
        "layer_configs": [{"class": name} for name in layers],
        "input_shape": [None, week4.WINDOW_SIZE, 1],
        "output_shape": [None, 1],
        "params": 5697,
        "compiled": True,
        "loss": "huber_loss",
        "metrics": ["mae"],
        "optimizer": "Adam",
        "iterations": 0,
        "file": "m0.keras",
    }
    info.update(changes)
    return ModelInfo(info)


def test_models_pass():
    cases("test_create_uncompiled_model")[0].check(Outcome("value", model_info(compiled=False, loss=None)))
    cases("test_create_model")[0].check(Outcome("value", model_info()))
    bidirectional = ("Conv1D", "Bidirectional", "LSTM", "LSTM", "Dense")
    cases("test_create_model")[0].check(Outcome("value", model_info(bidirectional)))


@pytest.mark.parametrize(
    "info,expected",
    [
        (model_info(("LSTM", "Dense")), "Expected: a Conv1D layer, but got: layers LSTM, Dense"),
        (model_info(("Conv1D", "GRU", "Dense")), "Expected: at least one LSTM layer"),
        (model_info(input_shape=[None, 30]), "tf.keras.Input(shape=(WINDOW_SIZE, 1))"),
        (model_info(input_shape=[None, 20, 1]), "but got: input shape (None, 20, 1)"),
        (model_info(output_shape=[None, 30, 1]), "but got: output shape (None, 30, 1)"),
        (None, "None (the placeholder is still there)"),
    ],
)
def test_wrong_models_fail(info, expected):
    for grade_id in ("test_create_uncompiled_model", "test_create_model"):
        assert expected in failure_message(cases(grade_id)[0], Outcome("value", info))


def test_uncompiled_model_fails_create_model():
    info = model_info(compiled=False, loss=None, optimizer=None)
    assert "a compiled model" in failure_message(cases("test_create_model")[0], Outcome("value", info))


# --- model_forecast ---------------------------------------------------------------------------


def test_forecast_cases_pair_the_grader_forecast_with_the_call():
    for hidden in (False, True):
        model_case, call_case = cases("test_model_forecast", hidden)
        assert model_case.probe.kind == "variable" and model_case.probe.name == "model"
        assert model_case.forecast.window_size == week4.WINDOW_SIZE
        model_arg, series, window = call_case.probe.args
        assert model_arg == Global("model") and window == week4.WINDOW_SIZE
        np.testing.assert_array_equal(series, model_case.forecast.series[:-1])


def forecast_outcomes(hidden=False, wrong=None):
    model_case, call_case = cases("test_model_forecast", hidden)
    series = model_case.forecast.series
    grader_forecast = np.random.default_rng(0).uniform(0, 300, len(series) - week4.WINDOW_SIZE)
    model = Outcome("value", model_info(iterations=940), forecast=grader_forecast)
    answer = grader_forecast if wrong is None else wrong(grader_forecast)
    return model_case, model, call_case, answer


@pytest.mark.parametrize("hidden", [False, True])
def test_model_forecast_passes(hidden):
    model_case, model, call_case, answer = forecast_outcomes(hidden)
    model_case.check(model)
    call_case.check(Outcome("value", typed(answer.astype("float32"))))


@pytest.mark.parametrize(
    "wrong,expected",
    [
        (lambda f: f[:, None], "(flatten it: forecast[:, 0])"),
        (lambda f: f[:-1], "Expected: a numpy array of shape (235,)"),
        (lambda f: np.append(f, 1.0), "but got: a numpy array of shape (236,)"),
        (lambda f: np.roll(f, 1), "Expected: forecast"),
    ],
)
def test_wrong_model_forecast_fails(wrong, expected):
    model_case, model, call_case, answer = forecast_outcomes(wrong=wrong)
    model_case.check(model)
    assert expected in failure_message(call_case, Outcome("value", typed(answer)))


def test_model_forecast_without_a_model():
    model_case, _, call_case, _ = forecast_outcomes()
    message = failure_message(model_case, Outcome("value", None))
    assert "`model`, the trained model that model_forecast is tested with" in message
    error = Outcome("error", detail="AttributeError: 'NoneType' object has no attribute 'predict'")
    call_case.check(error)  # not reported twice: the model case has said what is wrong


def test_model_forecast_error_is_reported():
    model_case, model, call_case, _ = forecast_outcomes()
    model_case.check(model)
    error = Outcome("error", detail="ValueError: Input 0 of layer is incompatible")
    assert "an error: ValueError: Input 0" in failure_message(call_case, error)


# --- the threshold ----------------------------------------------------------------------------


def threshold_outcome(forecast, iterations=940):
    return Outcome("value", model_info(iterations=iterations), forecast=np.asarray(forecast, dtype=float))


def validation():
    _, values = week4.load_series()
    return values


def test_threshold_case_forecasts_the_validation_period():
    (case,) = cases("test_forecast_mae_threshold")
    assert case.probe.name == "model" and case.forecast.window_size == week4.WINDOW_SIZE
    values = validation()
    np.testing.assert_allclose(
        case.forecast.series, values[week4.SPLIT_TIME - week4.WINDOW_SIZE :], rtol=1e-6
    )
    assert len(case.forecast.series) - week4.WINDOW_SIZE == len(values) - week4.SPLIT_TIME == 235


def test_a_good_forecast_passes_with_its_mae():
    values = validation()
    truth = values[week4.SPLIT_TIME :]
    forecast = truth + np.random.default_rng(0).normal(0, 12, len(truth))
    measured = cases("test_forecast_mae_threshold")[0].check(threshold_outcome(forecast))
    assert measured["mae"] == pytest.approx(np.mean(np.abs(truth - forecast)), abs=1e-3)
    assert measured["mae"] <= week4.MAE_THRESHOLD


@pytest.mark.parametrize("name", ["naive MAE", "3-month moving average MAE"])
def test_baselines_fail_the_threshold(name):
    values = validation()
    forecast = {
        "naive MAE": week4.ref_naive(values, week4.SPLIT_TIME),
        "3-month moving average MAE": week4.ref_moving_average(values, week4.SPLIT_TIME, 3),
    }[name]
    message = failure_message(cases("test_forecast_mae_threshold")[0], threshold_outcome(forecast))
    assert f"Expected: mae at most {week4.MAE_THRESHOLD:g}" in message
    assert f"mae {week4.baselines()[name]:.2f}" in message


def test_baselines_values():
    measured = week4.baselines()
    assert measured["naive MAE"] == pytest.approx(16.136, abs=1e-3)
    assert measured["3-month moving average MAE"] == pytest.approx(15.910, abs=1e-3)
    assert min(measured.values()) > week4.MAE_THRESHOLD


def test_untrained_model_fails_with_a_clear_message():
    truth = validation()[week4.SPLIT_TIME :]
    message = failure_message(cases("test_forecast_mae_threshold")[0], threshold_outcome(truth, iterations=0))
    assert "never trained" in message


def test_wrong_forecast_length_and_nan_fail():
    truth = validation()[week4.SPLIT_TIME :]
    case = cases("test_forecast_mae_threshold")[0]
    assert "235 forecast values" in failure_message(case, threshold_outcome(truth[:-1]))
    assert "NaN" in failure_message(case, threshold_outcome(np.full_like(truth, np.nan)))


# --- sandboxed: a broken variant of the solution ----------------------------------------------


NO_CONV1D = '''
def create_uncompiled_model():
    """An LSTM without the Conv1D layer."""
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(WINDOW_SIZE, 1)),
            tf.keras.layers.LSTM(8),
            tf.keras.layers.Dense(1),
        ]
    )
    return model
'''

UNTRAINED = """
model = create_model()
history = None
"""

NO_HEADER_SKIP = """
def parse_data_from_file(filename):
    times = []
    values = []
    with open(filename) as csvfile:
        for row in csv.reader(csvfile):
            times.append(row[0])
            values.append(row[2])
    return np.array(times), np.array(values)
"""


@pytest.mark.slow
def test_broken_variant_is_graded_with_clear_messages(grade, tmp_path):
    replacements = {
        "parse_data_from_file": NO_HEADER_SKIP,
        "create_uncompiled_model": NO_CONV1D,
        "train": UNTRAINED,
    }
    result = grade("week4", solution_with("week4", tmp_path, replacements))
    messages = {test.name: test.message for test in result.tests}
    assert scores(result) == {
        "test_parse_data_from_file": 0,
        "test_windowed_dataset": 2,
        "test_create_uncompiled_model": 0,
        "test_create_model": 0,
        "test_model_forecast": 2,
        "test_forecast_mae_threshold": 0,
    }, messages
    parse = messages["test_parse_data_from_file"]
    assert "an array of text" in parse and "int(row[0])" in parse and "[hidden]" in parse
    assert "Expected: a Conv1D layer, but got: layers LSTM, Dense" in messages["test_create_uncompiled_model"]
    assert "Expected: a Conv1D layer" in messages["test_create_model"]
    assert "never trained" in messages["test_forecast_mae_threshold"]
