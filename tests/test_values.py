"""Values cross the sandbox boundary as plain data and come back with their type remembered."""

import numpy as np
import pytest

from tscourse.checking.values import DatasetSample, Encoder, ModelInfo, Opaque, TypedArray, decode


def roundtrip(value):
    encoder = Encoder()
    tree = encoder.encode(value)
    return decode(tree, encoder.arrays)


def test_array_keeps_values_and_type():
    value = roundtrip(np.arange(5.0))
    assert isinstance(value, TypedArray) and value.pytype == "ndarray"
    np.testing.assert_array_equal(value, np.arange(5.0))


def test_list_of_numbers_is_marked_as_list():
    value = roundtrip([1.0, 2.0])
    assert value.pytype == "list"


def test_tuple_of_arrays_stays_a_tuple():
    value = roundtrip((np.zeros(2), np.ones(3)))
    assert isinstance(value, tuple) and [len(v) for v in value] == [2, 3]


@pytest.mark.parametrize("plain", [None, 3, 2.5, True, "text"])
def test_plain_values(plain):
    assert roundtrip(plain) == plain


def test_non_finite_numbers_survive_json():
    assert np.isnan(roundtrip(float("nan")))


def test_unknown_objects_become_opaque():
    class Thing:
        def __repr__(self):
            raise RuntimeError("broken repr")

    value = roundtrip(Thing())
    assert isinstance(value, Opaque) and value.pytype == "Thing"


def test_object_arrays_are_not_passed_through():
    value = roundtrip(np.array([object()], dtype=object))
    assert isinstance(value, Opaque)


def test_dataset_and_model_are_summarised():
    import tensorflow as tf

    dataset = tf.data.Dataset.range(10).batch(4)
    sample = roundtrip(dataset)
    assert isinstance(sample, DatasetSample) and sample.batches[0].tolist() == [0, 1, 2, 3]

    model = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    info = roundtrip(model)
    assert isinstance(info, ModelInfo)
    assert info["layers"] == ["Dense"] and info["input_shape"] == [None, 5]
    assert info["loss"] == "mse" and info["metrics"] == ["mae"] and info["iterations"] == 0
