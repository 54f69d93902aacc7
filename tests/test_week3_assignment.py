"""Week 3 (recurrent networks): the checks of autograder/assignments/week3.py.

The fast tests feed the checks decoded values (ModelInfo summaries, forecasts) directly, the way
the grader hands them over after the sandbox; the slow ones grade broken variants of the solution
notebook in the real sandbox.
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from autograder import paths
from autograder.assignments import week3
from tscourse.checking.spec import Failure, Outcome
from tscourse.checking.values import ModelInfo

W = week3.WINDOW_SIZE


def info(
    layers=("Rescaling", "LSTM", "Dense", "Rescaling"),
    input_shape=(None, W, 1),
    output_shape=(None, 1),
    compiled=False,
    loss=None,
    metrics=(),
    optimizer=None,
    iterations=0,
):
    return ModelInfo(
        {
            "kind": "model",
            "pytype": "Sequential",
            "layers": list(layers),
            "input_shape": None if input_shape is None else list(input_shape),
            "output_shape": None if output_shape is None else list(output_shape),
            "compiled": compiled,
            "loss": loss,
            "metrics": list(metrics),
            "optimizer": optimizer,
            "iterations": iterations,
            "file": "m0.keras",
        }
    )


def compiled(**changes):
    settings = dict(compiled=True, loss="huber_loss", metrics=["mae"], optimizer="Adam")
    settings.update(changes)
    return info(**settings)


def cases(cases_fn, seed=0):
    return cases_fn(np.random.default_rng(seed))


def window_of(case):
    return case.probe.kwargs.get("window_size", W)


def fails(case, outcome, *fragments):
    with pytest.raises(Failure) as caught:
        case.check(outcome)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- create_uncompiled_model --------------------------------------------------------------


def test_uncompiled_cases_visible_default_and_hidden_other_window():
    for seed in range(20):
        visible, hidden = cases(week3._uncompiled_cases, seed)
        assert (
            not visible.hidden
            and visible.probe.kwargs == {}
            and visible.probe.name == "create_uncompiled_model"
        )
        assert hidden.hidden and hidden.probe.kwargs["window_size"] != W
        assert 8 <= hidden.probe.kwargs["window_size"] <= 40


@pytest.mark.parametrize(
    "layers",
    [
        ("LSTM", "Dense"),
        ("SimpleRNN", "SimpleRNN", "Dense", "Rescaling"),
        ("GRU", "Dense"),
        ("Bidirectional", "LSTM", "Dense"),  # values.py lists the wrapped layer too
        ("Rescaling", "RNN", "Dense"),
    ],
)
def test_recurrent_models_with_the_right_shapes_pass(layers):
    for case in cases(week3._uncompiled_cases):
        case.check(Outcome("value", info(layers=layers, input_shape=(None, window_of(case), 1))))


def test_a_model_with_any_window_length_passes():
    for case in cases(week3._uncompiled_cases):
        case.check(Outcome("value", info(input_shape=(None, None, 1))))


def test_a_dense_only_model_fails_the_recurrent_layer_check():
    visible, _ = cases(week3._uncompiled_cases)
    fails(
        visible,
        Outcome("value", info(layers=("Flatten", "Dense", "Dense"))),
        "at least one recurrent layer",
        "Flatten, Dense, Dense",
    )


def test_missing_feature_axis_is_named():
    visible, _ = cases(week3._uncompiled_cases)
    fails(
        visible,
        Outcome("value", info(input_shape=(None, W))),
        f"(None, {W}, 1)",
        "feature axis is missing",
    )


def test_a_hard_coded_window_fails_the_hidden_case():
    _, hidden = cases(week3._uncompiled_cases)
    size = window_of(hidden)
    fails(
        hidden,
        Outcome("value", info(input_shape=(None, W, 1))),
        f"create_uncompiled_model(window_size={size})",
        "use the window_size argument",
    )


def test_sequence_output_is_named():
    visible, _ = cases(week3._uncompiled_cases)
    fails(visible, Outcome("value", info(output_shape=(None, W, 1))), "(None, 1)", "return_sequences")
    fails(visible, Outcome("value", info(output_shape=(None, 32))), "output shape (None, 32)")


def test_placeholders_and_errors_fail_clearly():
    visible, _ = cases(week3._uncompiled_cases)
    fails(visible, Outcome("value", None), "a Keras model", "placeholder")
    fails(visible, Outcome("missing", detail="create_uncompiled_model"), "is not defined")
    fails(visible, Outcome("error", detail="ValueError: Input 0 of layer"), "ValueError")


# --- create_model -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metrics",
    [["mae"], ["mean_absolute_error"], ["MeanAbsoluteError"], ["mse", "mae"], ["MAE"]],
)
def test_mae_metric_in_any_spelling_passes(metrics):
    for case in cases(week3._compiled_cases):
        case.check(Outcome("value", compiled(metrics=metrics, input_shape=(None, window_of(case), 1))))


def test_a_model_without_mae_fails():
    visible, _ = cases(week3._compiled_cases)
    fails(visible, Outcome("value", compiled(metrics=["mse"])), '["mae"]', "but got: mse")
    fails(visible, Outcome("value", compiled(metrics=[])), "no metrics")


def test_an_uncompiled_or_incomplete_model_fails():
    visible, _ = cases(week3._compiled_cases)
    fails(visible, Outcome("value", info()), "a model that was not compiled")
    fails(visible, Outcome("value", compiled(optimizer=None)), "no optimizer")
    fails(visible, Outcome("value", compiled(loss=None)), "no loss")


def test_create_model_names_an_unfinished_exercise_1():
    visible, _ = cases(week3._compiled_cases)
    error = Outcome("error", detail="AttributeError: 'NoneType' object has no attribute 'compile'")
    fails(visible, error, "create_uncompiled_model still returns None")
    fails(visible, Outcome("error", detail="ValueError: bad"), "an error: ValueError: bad")


def test_create_model_checks_the_architecture_too():
    visible, hidden = cases(week3._compiled_cases)
    fails(visible, Outcome("value", compiled(layers=("Flatten", "Dense"))), "recurrent layer")
    fails(hidden, Outcome("value", compiled(input_shape=(None, W, 1))), "window_size")
    assert hidden.probe.name == "create_model" and hidden.probe.kwargs["window_size"] != W


# --- threshold ----------------------------------------------------------------------------


def threshold_case():
    (case,) = cases(week3._threshold_cases)
    return case


def validation():
    _, series = week3.make_series()
    return series


def test_threshold_case_forecasts_the_validation_period():
    case = threshold_case()
    assert case.probe.kind == "variable" and case.probe.name == "model"
    series = validation()
    assert case.forecast.window_size == W
    np.testing.assert_array_equal(case.forecast.series, series[week3.SPLIT_TIME - W :])
    # the grader forecasts one value per validation step
    assert len(case.forecast.series) - W == len(series) - week3.SPLIT_TIME


def test_a_good_forecast_passes_and_is_measured():
    series = validation()
    truth = series[week3.SPLIT_TIME :]
    forecast = week3.linear_forecast(series, week3.SPLIT_TIME, W)
    outcome = Outcome("value", compiled(iterations=340), forecast=forecast)
    measured = threshold_case().check(outcome)
    assert measured == {"mae": pytest.approx(np.mean(np.abs(truth - forecast)), abs=1e-4)}
    assert measured["mae"] <= week3.MAE_THRESHOLD


def test_the_naive_forecast_fails_the_threshold():
    series = validation()
    outcome = Outcome(
        "value", compiled(iterations=340), forecast=week3.naive_forecast(series, week3.SPLIT_TIME)
    )
    fails(threshold_case(), outcome, f"mae at most {week3.MAE_THRESHOLD:g}")


def test_a_never_trained_model_fails_with_a_clear_message():
    forecast = np.zeros(len(validation()) - week3.SPLIT_TIME)
    outcome = Outcome("value", compiled(iterations=0), forecast=forecast)
    fails(threshold_case(), outcome, "never trained", "model.fit")


def test_a_trained_dense_only_model_fails_the_threshold_test():
    series = validation()
    forecast = week3.linear_forecast(series, week3.SPLIT_TIME, W)
    outcome = Outcome("value", compiled(layers=("Flatten", "Dense"), iterations=340), forecast=forecast)
    fails(threshold_case(), outcome, "recurrent layer")


def test_a_broken_forecast_fails_clearly():
    length = len(validation()) - week3.SPLIT_TIME
    case = threshold_case()
    fails(
        case,
        Outcome("value", compiled(iterations=9), forecast=np.full(length, np.nan)),
        "did training diverge",
    )
    fails(
        case,
        Outcome("value", compiled(iterations=9), forecast=np.zeros(length - 1)),
        f"{length} forecast values",
    )
    fails(
        case, Outcome("value", compiled(iterations=9), forecast_error="the model could not be saved"), "saved"
    )
    fails(case, Outcome("value", None), "placeholder")


def test_baselines_fail_and_the_threshold_is_above_the_noise_floor():
    found = week3.baselines()
    assert found["naive MAE"] > week3.MAE_THRESHOLD
    assert found[f"moving average (window {W}) MAE"] > week3.MAE_THRESHOLD
    assert found["noise floor MAE"] < week3.MAE_THRESHOLD


# --- the notebook and the spec agree ------------------------------------------------------


def cell_sources(path):
    notebook = nbformat.read(path, as_version=4)
    return {
        cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source
        for cell in notebook.cells
        if cell.cell_type == "code"
    }


def test_the_notebook_builds_the_graders_series():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sources = cell_sources(paths.source_notebook("week3"))
    namespace = {"np": np, "plt": plt, "plot_series": lambda *args, **kwargs: None}
    exec(sources["setup_series"], namespace)
    plt.close("all")
    np.testing.assert_array_equal(namespace["series"], week3.make_series()[1])
    assert namespace["SPLIT_TIME"] == week3.SPLIT_TIME
    assert re.search(rf"^WINDOW_SIZE = {W}$", sources["setup_dataset"], re.MULTILINE)
    assert len(re.findall(r"^SEED = \d+$", "\n".join(sources.values()), re.MULTILINE)) == 1


def test_the_released_notebook_has_placeholders_and_keeps_the_window_argument():
    sources = cell_sources(paths.released_notebook("week3"))
    assert "def create_uncompiled_model(window_size=WINDOW_SIZE):" in sources["create_uncompiled_model"]
    assert "model = None" in sources["create_uncompiled_model"]
    assert "def create_model(window_size=WINDOW_SIZE):" in sources["create_model"]
    assert "RUN_LR_SWEEP = False" in sources["learning_rate_sweep"]
    assert "model = None" in sources["train_model"] and "history = None" in sources["train_model"]


# --- sandboxed grading of broken variants -------------------------------------------------

DENSE_ONLY = """
def create_uncompiled_model(window_size=WINDOW_SIZE):
    return tf.keras.Sequential(
        [tf.keras.Input(shape=(window_size, 1)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)]
    )
"""

NEVER_TRAINED = """
tf.keras.backend.clear_session()
tf.keras.utils.set_random_seed(SEED)
model = create_model()
history = None
"""


def variant(tmp_path, grade_id, source):
    notebook = nbformat.read(paths.source_notebook("week3"), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source.strip("\n")
    target = tmp_path / "submission.ipynb"
    nbformat.write(notebook, target)
    return target


def grade(tmp_path, notebook):
    from autograder import sandbox
    from autograder.grading import Grader

    try:
        sandbox.check_available()
    except sandbox.SandboxUnavailable as exc:
        pytest.skip(str(exc))
    result = Grader(week3.ASSIGNMENT, tmp_path / "work", slot=0, seed=0).grade(notebook, "variant")
    return {test.name: test for test in result.tests}


@pytest.mark.slow
@pytest.mark.parametrize(
    "grade_id, source, failing, fragment",
    [
        (
            "create_uncompiled_model",
            DENSE_ONLY,
            {"test_create_uncompiled_model", "test_create_model", "test_forecast_mae_threshold"},
            "at least one recurrent layer",
        ),
        ("train_model", NEVER_TRAINED, {"test_forecast_mae_threshold"}, "never trained"),
    ],
    ids=["dense-only", "never-trained"],
)
def test_broken_variant_is_graded_with_clear_messages(tmp_path, grade_id, source, failing, fragment):
    tests = grade(tmp_path, variant(tmp_path, grade_id, source))
    for name, test in tests.items():
        if name in failing:
            assert test.score == 0, (name, test.message)
            assert fragment in test.message, test.message
        else:
            assert test.score == test.max_score, (name, test.message)
