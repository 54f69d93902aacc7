"""Week 2 checks on passing and failing inputs, without the sandbox; one sandboxed variant."""

import numpy as np
import pytest
from conftest import scores, solution_with

from autograder import grading
from autograder.assignments import week2
from tscourse.checking.spec import Failure, Outcome
from tscourse.checking.values import DatasetSample, ModelInfo, TypedArray


def cases(grade_id, hidden=False, seed=1):
    test = week2.ASSIGNMENT.test(grade_id)
    return [c for c in test.cases(np.random.default_rng(seed)) if c.hidden == hidden]


def failure_message(case, outcome):
    with pytest.raises(Failure) as caught:
        case.check(outcome)
    return str(caught.value)


# --- the series and its baselines -------------------------------------------------------------


def test_series_is_float32_and_reproducible():
    time, series = week2.make_series()
    assert series.dtype == np.float32 and len(series) == len(time) == 4 * 365 + 1
    assert np.array_equal(series, week2.make_series()[1])


def test_naive_and_moving_average_fail_the_threshold_but_a_linear_model_passes():
    found = week2.baselines()
    assert found["naive MSE"] > week2.MSE_THRESHOLD + 10
    assert found["moving average (20 days) MSE"] > week2.MSE_THRESHOLD + 5
    assert found["least-squares linear model (window 20) MSE"] < week2.MSE_THRESHOLD - 3
    assert found["noise floor (true signal as forecast) MSE"] == pytest.approx(week2.NOISE_LEVEL**2, rel=0.1)


# --- windowed_dataset -------------------------------------------------------------------------


def sample(
    series,
    window,
    batch,
    order=None,
    label=lambda rows: rows[:, -1],
    features=lambda rows, window: rows[:, :window],
    dtype="float32",
    drop=0,
):
    """What the grader decodes from a windowed dataset: the first 4 batches, as arrays."""
    series = np.asarray(series)
    positions = np.arange(len(series) - window - drop)[:, None] + np.arange(window + 1)
    rows = series[positions]
    if order is not None:
        rows = rows[order(len(rows))]
    x, y = features(rows, window).astype(dtype), label(rows).astype(dtype)
    batches = [
        (TypedArray(x[start : start + batch], "Tensor"), TypedArray(y[start : start + batch], "Tensor"))
        for start in range(0, len(x), batch)
    ]
    return Outcome("value", DatasetSample(batches[:4], len(batches) > 4, "(TensorSpec, TensorSpec)"))


def shuffled(seed=0):
    return lambda count: np.random.default_rng(seed).permutation(count)


def probe_args(case):
    series, window, batch, buffer = case.probe.args
    return series, window, batch, buffer


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_datasets_pass(seed, hidden):
    for case in cases("test_windowed_dataset", hidden, seed):
        series, window, batch, buffer = probe_args(case)
        assert buffer > 1
        case.check(sample(series, window, batch, order=shuffled(seed)))
    for case in cases("test_windowed_dataset_no_shuffle", hidden, seed):
        series, window, batch, buffer = probe_args(case)
        assert buffer == 1
        case.check(sample(series, window, batch))


def test_visible_cases_use_the_assignment_settings():
    (shuffled_case,) = cases("test_windowed_dataset")
    series, window, batch, buffer = probe_args(shuffled_case)
    assert (len(series), window, batch, buffer) == (week2.SPLIT_TIME, 20, 32, 1000)
    assert series.dtype == np.float32


def test_hidden_no_shuffle_case_samples_every_batch():
    for seed in range(5):
        (case,) = cases("test_windowed_dataset_no_shuffle", hidden=True, seed=seed)
        series, window, batch, _ = probe_args(case)
        windows = len(series) - window
        assert 3 * batch < windows < 4 * batch  # four batches, the last one smaller


def test_label_with_an_extra_axis_fails_with_a_hint():
    case = cases("test_windowed_dataset_no_shuffle")[0]
    series, window, batch, _ = probe_args(case)
    message = failure_message(case, sample(series, window, batch, label=lambda rows: rows[:, -1:]))
    assert "Expected: labels of shape (32,), one value per window, but got: shape (32, 1)" in message
    assert "window[-1], not window[-1:]" in message


def test_features_with_a_feature_axis_fail_with_a_hint():
    case = cases("test_windowed_dataset")[0]
    series, window, batch, _ = probe_args(case)
    add_axis = lambda rows, window: rows[:, :window, None]  # noqa: E731
    message = failure_message(case, sample(series, window, batch, order=shuffled(), features=add_axis))
    assert "Expected: features of shape (32, 20), one window per row, but got: shape (32, 20, 1)" in message
    assert "no extra feature axis" in message


def test_window_one_value_too_long_fails():
    case = cases("test_windowed_dataset_no_shuffle")[0]
    series, window, batch, _ = probe_args(case)
    whole_row = lambda rows, window: rows  # noqa: E731  the label left inside the features
    message = failure_message(case, sample(series, window, batch, features=whole_row))
    assert "but got: shape (32, 21)" in message


def test_float64_fails():
    case = cases("test_windowed_dataset")[0]
    series, window, batch, _ = probe_args(case)
    message = failure_message(case, sample(series, window, batch, order=shuffled(), dtype="float64"))
    assert "Expected: features of dtype float32, like the series, but got: dtype float64" in message


def test_label_from_inside_the_window_fails():
    case = cases("test_windowed_dataset")[0]
    series, window, batch, _ = probe_args(case)
    inside = lambda rows: rows[:, -2]  # noqa: E731
    message = failure_message(case, sample(series, window, batch, order=shuffled(), label=inside))
    assert "to be the value after its window" in message


def test_wrong_batch_size_fails():
    case = cases("test_windowed_dataset")[0]
    series, window, _, _ = probe_args(case)
    message = failure_message(case, sample(series, window, 16, order=shuffled()))
    assert "Expected: 32 windows per batch (batch_size), but got: 16" in message


def test_unshuffled_dataset_fails_the_shuffle_case():
    case = cases("test_windowed_dataset")[0]
    series, window, batch, _ = probe_args(case)
    message = failure_message(case, sample(series, window, batch))
    assert "Expected: windows shuffled with a buffer of 1000" in message
    assert "dataset.shuffle(shuffle_buffer)" in message


def test_shuffling_with_buffer_one_fails_the_no_shuffle_case():
    """A hard-coded shuffle buffer ignores shuffle_buffer=1: the windows come out of order."""
    case = cases("test_windowed_dataset_no_shuffle")[0]
    series, window, batch, _ = probe_args(case)
    message = failure_message(case, sample(series, window, batch, order=shuffled()))
    assert "(a shuffle buffer of 1 keeps the order)" in message
    assert "is the shuffle buffer hard-coded instead of using shuffle_buffer?" in message


def test_values_shuffled_before_windowing_fail():
    case = cases("test_windowed_dataset")[0]
    series, window, batch, _ = probe_args(case)
    scrambled = np.random.default_rng(0).permutation(series)
    message = failure_message(case, sample(scrambled, window, batch))
    assert "consecutive values of the series" in message and "shuffled before windowing" in message


def test_missing_last_window_fails_but_dropping_the_remainder_passes():
    (case,) = cases("test_windowed_dataset_no_shuffle", hidden=True)
    series, window, batch, _ = probe_args(case)
    total = len(series) - window
    message = failure_message(case, sample(series, window, batch, drop=1))
    assert f"Expected: all {total} windows of the series, but got: {total - 1} windows" in message
    full_batches = sample(series, window, batch)
    full_batches.value.batches = full_batches.value.batches[: total // batch]
    case.check(full_batches)


def test_not_a_dataset_fails():
    case = cases("test_windowed_dataset")[0]
    assert "but got: None (the placeholder is still there)" in failure_message(case, Outcome("value", None))
    array = Outcome("value", TypedArray(np.zeros((5, 3), dtype="float32"), "ndarray"))
    assert "Expected: a tf.data.Dataset, but got: a numpy array" in failure_message(case, array)
    empty = Outcome("value", DatasetSample([], False, ""))
    assert "but got: an empty dataset" in failure_message(case, empty)


def test_windows_without_labels_fail():
    case = cases("test_windowed_dataset_no_shuffle")[0]
    series, window, batch, _ = probe_args(case)
    windows_only = sample(series, window, batch)
    windows_only.value.batches = [features for features, _ in windows_only.value.batches]
    assert "Expected: a (features, labels) pair" in failure_message(case, windows_only)


# --- create_model -----------------------------------------------------------------------------


def model_info(window=20, **changes):
    info = {
        "kind": "model",
        "pytype": "Sequential",
        "layers": ["Dense", "Dense", "Dense"],
        "input_shape": [None, window],
        "output_shape": [None, 1],
        "params": week2.REFERENCE_PARAMS,
        "compiled": True,
        "loss": "mse",
        "metrics": [],
        "optimizer": "Adam",
        "iterations": 0,
    }
    info.update(changes)
    return Outcome("value", ModelInfo(info))


def model_case(hidden=False):
    return cases("test_create_model", hidden)[0]


def test_reference_model_passes_and_reports_its_parameters():
    assert model_case().check(model_info()) == {"params": 1217}
    hidden = model_case(hidden=True)
    (window,) = hidden.probe.args
    assert window != week2.WINDOW_SIZE
    assert hidden.check(model_info(window, params=123)) == {}


@pytest.mark.parametrize(
    "loss", ["mse", "mean_squared_error", "huber", "huber_loss", "mae", "MeanSquaredError", "log_cosh"]
)
def test_regression_losses_pass(loss):
    model_case().check(model_info(loss=loss))


def test_functional_model_with_an_input_layer_passes():
    model_case().check(model_info(layers=["InputLayer", "Dense", "Dense"]))


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {"input_shape": [None, 20, 1]},
            "Expected: input shape (None, 20) (start with tf.keras.Input((window_size,)))",
        ),
        ({"input_shape": None}, "but got: no shape"),
        ({"output_shape": [None, 20]}, "Expected: output shape (None, 1): one forecast per window"),
        (
            {"layers": ["Dense", "LSTM", "Dense"]},
            "Expected: only Dense layers, but got: layers Dense, LSTM, Dense",
        ),
        ({"layers": ["Lambda", "Dense"]}, "but got: layers Lambda, Dense"),
        ({"layers": []}, "but got: layers (none)"),
        ({"compiled": False, "loss": None}, "Expected: a compiled model (call model.compile"),
        ({"loss": "binary_crossentropy"}, "but got: loss binary_crossentropy"),
    ],
)
def test_wrong_models_fail(changes, expected):
    assert expected in failure_message(model_case(), model_info(**changes))


def test_hidden_model_case_catches_a_hard_coded_window():
    hidden = model_case(hidden=True)
    (window,) = hidden.probe.args
    message = failure_message(hidden, model_info(20))
    assert f"Expected: input shape (None, {window})" in message and "but got: shape (None, 20)" in message


def test_none_instead_of_a_model_fails():
    assert "Expected: a Keras model, but got: None" in failure_message(model_case(), Outcome("value", None))


def test_a_huge_model_passes_with_a_warning():
    huge = 20 * week2.REFERENCE_PARAMS
    measured = model_case().check(model_info(params=huge))
    assert measured["params"] == huge
    assert f"{huge} parameters, more than 10 times the 1217" in measured["warning"]
    assert "warning" not in model_case().check(model_info(params=10 * week2.REFERENCE_PARAMS))


class FakeGrader(grading.Grader):
    """The grader's result assembly, with outcomes supplied instead of a sandbox run."""

    def __init__(self, outcome_for):
        super().__init__(week2.ASSIGNMENT, work_root=".", seed=0)
        self.outcome_for = outcome_for

    def _execute(self, prepared, cases, probe_ids, workdir, reserve):
        outcomes = {probe_ids[id(c)]: self.outcome_for(c) for cs in cases.values() for c in cs}
        return outcomes, []

    def _forecast(self, cases, probe_ids, outcomes, workdir):
        return None


def test_grader_appends_the_warning_to_the_passing_message():
    huge = 20 * week2.REFERENCE_PARAMS

    def outcome_for(case):
        if case.probe.name != "create_model":
            return Outcome("value", None)
        return model_info(case.probe.args[0], params=huge)

    result = FakeGrader(outcome_for)._grade_prepared(None, "student", None)
    test = next(t for t in result.tests if t.name == "test_create_model")
    assert test.score == test.max_score == 2
    assert test.message.startswith(f"Passed (params {huge}). Warning: your model has {huge} parameters")
    assert test.measurements == {"params": huge}
    assert all(t.score == 0 for t in result.tests if t.name != "test_create_model")


# --- the threshold ----------------------------------------------------------------------------


def threshold_case():
    (case,) = cases("test_forecast_mse_threshold")
    return case


def trained(forecast, iterations=1020):
    outcome = model_info(iterations=iterations)
    outcome.forecast = None if forecast is None else np.asarray(forecast, dtype=float)
    return outcome


def validation():
    return week2.make_series()[1][week2.SPLIT_TIME :]


def test_threshold_case_forecasts_the_validation_period_with_the_model():
    case = threshold_case()
    _, series = week2.make_series()
    assert case.probe.kind == "variable" and case.probe.name == "model"
    assert case.forecast.window_size == week2.WINDOW_SIZE
    assert np.array_equal(case.forecast.series, series[week2.SPLIT_TIME - week2.WINDOW_SIZE :])
    assert len(case.forecast.series) - case.forecast.window_size == len(validation())


def test_a_good_forecast_passes_with_its_mse():
    _, signal = week2.make_signal()
    measured = threshold_case().check(trained(signal[week2.SPLIT_TIME :]))
    assert measured["mse"] == pytest.approx(
        week2.baselines()["noise floor (true signal as forecast) MSE"], abs=1e-3
    )


def test_naive_forecast_fails_the_threshold():
    _, series = week2.make_series()
    message = failure_message(threshold_case(), trained(week2.ref_naive(series, week2.SPLIT_TIME)))
    assert "Expected: mse at most 30, but got: mse" in message


def test_never_trained_model_fails_with_a_clear_message():
    message = failure_message(threshold_case(), trained(validation(), iterations=0))
    assert "a model that was never trained" in message and "model.fit" in message


def test_forecast_problems_fail():
    case = threshold_case()
    assert "Expected: 361 forecast values, but got: 360" in failure_message(case, trained(validation()[:-1]))
    bad = validation().astype(float)
    bad[5] = np.nan
    assert "NaN or infinite values" in failure_message(case, trained(bad))
    unsaved = trained(None)
    unsaved.forecast_error = "the model could not be saved"
    assert "but got: the model could not be saved" in failure_message(case, unsaved)


# --- one sandboxed grading of a broken variant --------------------------------------------------

HARD_CODED_SHUFFLE = '''
def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    """Ignores shuffle_buffer: always shuffles with a buffer of 1000."""
    dataset = tf.data.Dataset.from_tensor_slices(series)
    dataset = dataset.window(window_size + 1, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(window_size + 1))
    dataset = dataset.map(lambda window: (window[:-1], window[-1]))
    dataset = dataset.shuffle(1000)
    return dataset.batch(batch_size).prefetch(1)
'''

HUGE_MODEL = '''
def create_model(window_size):
    """Far bigger than needed: passes, with a warning."""
    model = tf.keras.Sequential(
        [
            tf.keras.Input((window_size,)),
            tf.keras.layers.Dense(256, activation="relu"),
            tf.keras.layers.Dense(256, activation="relu"),
            tf.keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer="adam")
    return model
'''

UNTRAINED = """
tf.keras.utils.set_random_seed(SEED)
model = create_model(WINDOW_SIZE)
history = None
"""


@pytest.mark.slow
def test_broken_variant_is_graded_with_clear_messages(grade, tmp_path):
    replacements = {
        "windowed_dataset": HARD_CODED_SHUFFLE,
        "create_model": HUGE_MODEL,
        "train_model": UNTRAINED,
    }
    result = grade("week2", solution_with("week2", tmp_path, replacements))
    messages = {test.name: test.message for test in result.tests}
    assert scores(result) == {
        "test_windowed_dataset": 2,
        "test_windowed_dataset_no_shuffle": 0,
        "test_create_model": 2,
        "test_forecast_mse_threshold": 0,
    }, messages
    assert "(a shuffle buffer of 1 keeps the order)" in messages["test_windowed_dataset_no_shuffle"]
    huge = 20 * 256 + 256 + 256 * 256 + 256 + 257
    assert messages["test_create_model"].startswith(f"Passed (params {huge}). Warning: your model has {huge}")
    assert "never trained" in messages["test_forecast_mse_threshold"]
    # Graded within its limits (not timed: a busy machine is slow, and the limits say what is too slow).
    assert not [note for note in result.notes if "did not finish" in note or "reached its limit" in note]
