"""The grader's forecast: a window's forecast may depend on that window alone.

These models are built in-process (no sandbox, no training) so each trick is tested directly;
the corpus (tests/corpus/cases.py) runs the same look-ahead trick through the whole grader.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest
import tensorflow as tf
from corpus.cases import BATCH_LOOKAHEAD, LOOKAHEAD_MESSAGE

from tscourse.checking import checks, runner
from tscourse.checking.spec import Failure, Outcome
from tscourse.checking.values import ModelInfo

WINDOW = 20
SERIES = (10 * np.sin(np.arange(300) / 5) + np.arange(300) / 50).astype("float32")
TRUTH = SERIES[WINDOW:].astype(float)
NAIVE = SERIES[WINDOW - 1 : -1].astype(float)


def dense_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((WINDOW,)), keras.layers.Dense(8, "relu"), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    return model


def reloaded(model, tmp_path):
    """The model as the grader sees it: saved, then loaded in the evaluating process."""
    model.save(tmp_path / "model.keras")
    return keras.models.load_model(tmp_path / "model.keras", compile=False, safe_mode=False)


def lookahead_model():
    namespace = {"model": dense_model(), "tf": tf}
    exec(BATCH_LOOKAHEAD, namespace)
    return namespace["model"]


# Python state kept between calls: every window seen is remembered, and a window's forecast is the
# last value of a remembered window that continues it (its target), else its own last value.
MEMO_LAMBDA = """lambda x: __import__("tensorflow").reshape(__import__("tensorflow").py_function(
    lambda a: (lambda m, rows: __import__("numpy").float32(
        (m.update({tuple(r[:-1]): r[-1] for r in rows}), [m.get(tuple(r[1:]), r[-1]) for r in rows])[1]))(
        __import__("builtins").__dict__.setdefault("_forecast_memo", {}),
        a.numpy().reshape(a.shape[0], -1).tolist()),
    [x], Tout="float32"), (-1, 1))"""


def memo_model():
    inputs = keras.Input((WINDOW,))
    outputs = keras.layers.Lambda(eval(MEMO_LAMBDA), output_shape=(1,))(inputs)
    return keras.Model(inputs, outputs)


def stateful_model():
    """A stateful recurrent layer: its state variables change with every call."""
    inputs = keras.Input(batch_shape=(1, WINDOW, 1))
    outputs = keras.layers.Dense(1)(keras.layers.SimpleRNN(4, stateful=True)(inputs))
    return keras.Model(inputs, outputs)


def outcome_for(values, report):
    info = ModelInfo({"kind": "model", "iterations": 5})
    return Outcome("value", info, forecast=values, forecast_report=report)


def test_an_honest_model_gets_the_batched_numbers(tmp_path):
    model = reloaded(dense_model(), tmp_path)
    values, report = runner.forecast(model, SERIES, WINDOW)
    batched = runner.forecast_batched(model, runner.model_windows(model, SERIES, WINDOW))
    np.testing.assert_allclose(values, batched, atol=1e-5)
    assert report["changed_variables"] == 0 and report["batch_difference"] < 1e-4
    assert checks.batch_note(outcome_for(values, report), values) == ""


def test_a_model_that_reads_the_next_window_gets_the_naive_forecast(tmp_path):
    model = reloaded(lookahead_model(), tmp_path)
    windows = runner.model_windows(model, SERIES, WINDOW)
    batched = runner.forecast_batched(model, windows)
    assert checks.mae(TRUTH, batched) < 0.01  # in one batch it reads the answers (but at batch ends)
    values, report = runner.forecast(model, SERIES, WINDOW)
    np.testing.assert_allclose(values, NAIVE, atol=1e-5)
    assert report["batch_difference"] > 0.1
    truth_mae = checks.mae(TRUTH, values)
    with pytest.raises(Failure) as failure:
        checks.forecast_threshold("threshold", outcome_for(values, report), TRUTH, "mae", checks.mae, 0.01)
    assert f"mae {truth_mae:.2f}" in str(failure.value) and LOOKAHEAD_MESSAGE in str(failure.value)


def test_python_state_kept_between_calls_sees_only_the_past(tmp_path):
    model = memo_model()
    windows = runner.model_windows(model, SERIES, WINDOW)
    assert checks.mae(TRUTH, runner.forecast_batched(model, windows)) < 0.01
    __builtins__ = __import__("builtins")
    __builtins__.__dict__.pop("_forecast_memo", None)
    values, report = runner.forecast(model, SERIES, WINDOW)
    np.testing.assert_allclose(values, NAIVE, atol=1e-5)
    assert report["batch_difference"] > 0.1
    __builtins__.__dict__.pop("_forecast_memo", None)


def test_a_model_whose_variables_change_while_forecasting_is_flagged():
    model = stateful_model()
    values, report = runner.forecast(model, SERIES, WINDOW)
    assert report["changed_variables"] >= 1
    with pytest.raises(Failure, match="changed 1 of its variables"):
        checks.trained_forecast("threshold", outcome_for(values, report), len(TRUTH))
