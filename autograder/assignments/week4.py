"""Week 4 graded assignment: forecasting the monthly sunspot numbers with Conv1D + LSTM.

The reference implementations below are the grader's own; student results are compared with
them. Hidden cases use inputs drawn at grading time, so they cannot be known in advance.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from .. import checks, paths
from ..spec import Assignment, Case, Failure, File, Forecast, Global, Test, call, variable
from ..values import Opaque, TypedArray

DATA_FILE = "sunspots.csv"  # the notebook reads it from tscourse.data_path(DATA_FILE)
SERIES_LENGTH = 3235
SPLIT_TIME = 3000
WINDOW_SIZE = 30
# Calibrated with `python scripts/calibrate.py week4 --seeds 20 --workers 2` (docs/calibration/week4.md):
# reference 14.24 to 14.63 over 20 seeds; naive 16.14, 3-month moving average 15.91, best (4-month) 15.70.
MAE_THRESHOLD = 15.3


# --- the data and the grader's reference implementations -----------------------------------


def load_series():
    """The sunspot series as (times, values), read from the course's data folder."""
    return ref_parse(paths.DATA / DATA_FILE)


def ref_parse(path):
    with open(path, newline="") as file:
        return ref_parse_rows(file)


def ref_parse_text(text):
    return ref_parse_rows(io.StringIO(text, newline=""))


def ref_parse_rows(lines):
    """Times (ints) and values (floats) of CSV lines: a header, then index, date, value."""
    times, values = [], []
    reader = csv.reader(lines)
    next(reader)
    for row in reader:
        times.append(int(row[0]))
        values.append(float(row[2]))
    return np.array(times), np.array(values)


def ref_windows(series, window_size):
    """Every (window, next value) pair of a series, in order."""
    series = np.asarray(series, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], window_size)
    return windows, series[window_size:]


def ref_naive(series, split_time):
    return series[split_time - 1 : -1]


def ref_moving_average(series, split_time, window_size):
    """Forecast each step from split_time on with the mean of the window_size values before it."""
    series = np.asarray(series, dtype=float)
    return np.array([series[t - window_size : t].mean() for t in range(split_time, len(series))])


def baselines():
    """MAE of the simple methods on the validation period (from month 3000), for calibration."""
    _, series = load_series()
    truth = series[SPLIT_TIME:]
    return {
        "naive MAE": checks.mae(truth, ref_naive(series, SPLIT_TIME)),
        "3-month moving average MAE": checks.mae(truth, ref_moving_average(series, SPLIT_TIME, 3)),
        "4-month moving average MAE (best window)": checks.mae(
            truth, ref_moving_average(series, SPLIT_TIME, 4)
        ),
    }


# --- exercise 1: parse_data_from_file --------------------------------------------------------


def sample_csv(rng):
    """A small file in the format of sunspots.csv (header, CRLF), and what parsing it gives."""
    length = int(rng.integers(12, 40))
    start = int(rng.integers(0, 2000))
    year = int(rng.integers(1750, 2000))
    times = np.arange(start, start + length)
    values = np.round(rng.uniform(0, 300, length), 1)
    values[int(rng.integers(0, length))] = float(int(rng.integers(0, 300)))  # one whole number
    lines = [",Date,Monthly Mean Total Sunspot Number"]
    for n, (step, value) in enumerate(zip(times, values, strict=True)):
        lines.append(f"{step},{year + n // 12}-{n % 12 + 1:02d}-28,{value:g}")
    content = ("\r\n".join(lines) + "\r\n").encode()
    return content, times, values


def _typed(what, name, value, kinds, kind_text, hint):
    """Fail unless one returned item is a numpy array whose dtype is of the given kinds."""
    expected = f"`{name}` as a numpy array of {kind_text}"
    if isinstance(value, Opaque) and value.pytype in ("ndarray", "list", "tuple"):
        text = " ".join(value.text.split())
        raise Failure(what, expected, f"an array of text ({text[:48]}...); {hint}")
    got = checks.array(f"{what}: {name}", checks.as_outcome(value), allow_list=False)
    if value.dtype.kind not in kinds:
        raise Failure(what, expected, f"dtype {value.dtype}; {hint}")
    return got


def _parse_cases(rng):
    def case(argument, times, values, hidden):
        source = "DATA_PATH" if not hidden else "a small file in the same format"

        def check(outcome):
            what = f"parse_data_from_file({source})"
            parts = checks.sequence(what, outcome, 2)
            got_times = _typed(
                what, "times", parts[0], "iu", "integers", "convert each time with int(row[0])"
            )
            got_values = _typed(
                what, "values", parts[1], "f", "floats", "convert each value with float(row[2])"
            )
            for name, got in (("times", got_times), ("values", got_values)):
                if got.ndim != 1 or len(got) != len(times):
                    one_more = got.ndim == 1 and len(got) == len(times) + 1
                    skipped = " (did you skip the header row?)" if one_more else ""
                    raise Failure(
                        f"{what}: {name}",
                        f"{len(times)} values, one per data row",
                        f"shape {tuple(got.shape)}{skipped}",
                    )
            checks.close(f"{what}: first time step", got_times[:1], times[:1], label="time")
            checks.close(f"{what}: first value", got_values[:1], values[:1], label="value")
            checks.close(f"{what}: times", got_times, times, label="times")
            checks.close(f"{what}: values", got_values, values, atol=1e-6, label="values")

        return Case("parse", call("parse_data_from_file", argument), check, hidden)

    times, values = load_series()
    content, sample_times, sample_values = sample_csv(rng)
    return [
        case(File(DATA_FILE, (paths.DATA / DATA_FILE).read_bytes()), times, values, False),
        case(File("sunspots_sample.csv", content), sample_times, sample_values, True),
    ]


# --- exercise 2: windowed_dataset ------------------------------------------------------------


def check_windows(what, outcome, series, window_size, batch_size, shuffled):
    """A dataset of (features, label) batches: every window once, features with a feature axis."""
    sample = checks.dataset(what, outcome)
    windows, labels = ref_windows(series, window_size)
    count = len(windows)
    if sample.truncated:
        batches = f"{count} windows in {-(-count // batch_size)} batches of {batch_size}"
        raise Failure(what, batches, "more than 4 batches")
    seen_features, seen_labels = [], []
    for number, (features, label) in enumerate(checks.batch_pairs(what, sample)):
        here = f"{what}: batch {number + 1}"
        rows = min(batch_size, count - number * batch_size)
        if features.ndim not in (2, 3):
            raise Failure(here, "features of shape (batch, window, 1)", checks.describe(features))
        if features.ndim == 2 or features.shape[-1] != 1:
            hint = " (add the feature axis: tf.expand_dims(series, axis=-1))" if features.ndim == 2 else ""
            raise Failure(
                here, f"features of shape ({rows}, {window_size}, 1)", f"shape {features.shape}{hint}"
            )
        if features.shape != (rows, window_size, 1):
            raise Failure(here, f"features of shape ({rows}, {window_size}, 1)", f"shape {features.shape}")
        if label.shape not in ((rows,), (rows, 1)):
            raise Failure(here, f"labels of shape ({rows}, 1) or ({rows},)", checks.describe(label))
        seen_features.append(np.asarray(features, dtype=float)[..., 0])
        seen_labels.append(np.asarray(label, dtype=float).reshape(-1))
    features = np.concatenate(seen_features)
    label = np.concatenate(seen_labels)
    if len(features) != count:
        raise Failure(what, f"{count} windows in all (one per position)", f"{len(features)}")
    checks.window_positions(what, features, windows, atol=1e-4)
    if not shuffled:
        checks.close(f"{what}: features", features, windows, atol=1e-4, label="window values")
        checks.close(f"{what}: labels", label, labels, atol=1e-4, label="labels")
        return
    # Shuffled: each row must still be a whole window followed by its own label.
    order = np.abs(features[:, :1] - windows[:, 0]).argmin(axis=1)  # the series' values are distinct
    checks.close(f"{what}: shuffled windows", features, windows[order], atol=1e-4, label="window values")
    checks.close(
        f"{what}: the label after each shuffled window", label, labels[order], atol=1e-4, label="labels"
    )
    if sorted(order.tolist()) != list(range(count)):
        raise Failure(what, "every window exactly once", "some windows repeated or missing")
    if np.all(order == np.arange(count)):
        raise Failure(what, "the windows in shuffled order", "the windows in their original order")


def _distinct_series(rng, length):
    """A series with distinct values, so a shuffled window can be located in it."""
    return (rng.permutation(length) * 1.5 + rng.uniform(0, 1, length).round(2) + 10).astype("float32")


def _dataset_cases(rng):
    def case(series, window, batch, buffer, shuffled, hidden):
        def check(outcome):
            what = (
                f"windowed_dataset(series of {len(series)} values, window_size={window}, "
                f"batch_size={batch}, shuffle_buffer={buffer})"
            )
            check_windows(what, outcome, series, window, batch, shuffled)

        return Case("dataset", call("windowed_dataset", series, window, batch, buffer), check, hidden)

    window = int(rng.integers(3, 12))
    batch = int(rng.integers(4, 12))
    length = window + int(rng.integers(2 * batch, 4 * batch + 1))
    return [
        case(np.arange(100, 140, dtype="float32"), 5, 10, 1, False, False),
        case(_distinct_series(rng, 60), 10, 16, 1000, True, False),
        case(_distinct_series(rng, length), window, batch, 1000, True, True),
    ]


# --- exercises 3 and 4: the model ------------------------------------------------------------


def check_architecture(what, info):
    layers = list(info.get("layers") or [])
    shown = ", ".join(layers) or "no layers"
    if "Conv1D" not in layers:
        raise Failure(what, "a Conv1D layer", f"layers {shown}")
    if "LSTM" not in layers:
        raise Failure(what, "at least one LSTM layer", f"layers {shown}")
    checks.window_model_shapes(what, info, WINDOW_SIZE)


def model_cases(check_architecture):
    """The cases of create_uncompiled_model and create_model, judged by `check_architecture(what, info)`."""

    def uncompiled_cases(rng):
        def check(outcome):
            what = "create_uncompiled_model()"
            check_architecture(what, checks.model(what, outcome))

        return [Case("uncompiled model", call("create_uncompiled_model"), check)]

    def compiled_cases(rng):
        def check(outcome):
            what = "create_model()"
            info = checks.model(what, outcome)
            check_architecture(what, info)
            if not info.get("optimizer") or not info.get("loss"):
                raise Failure(
                    what, "a compiled model (model.compile with a loss and an optimizer)", "no compile"
                )

        return [Case("compiled model", call("create_model"), check)]

    return uncompiled_cases, compiled_cases


_uncompiled_cases, _compiled_cases = model_cases(check_architecture)


def model_forecast_pair(series, label, hidden, window_size=WINDOW_SIZE, atol=1e-2):
    """Two cases: the grader's forecast of the notebook's `model` on `series`, and model_forecast on
    `series[:-1]` (the same windows) compared with it."""
    shared = {}
    length = len(series) - window_size

    def check_model(outcome):
        what = "`model`, the trained model that model_forecast is tested with"
        shared["model"] = False
        checks.model(what, outcome)
        shared["model"], shared["forecast"] = True, outcome.forecast
        if outcome.forecast is None:
            raise Failure(what, "a model the grader can forecast with", outcome.forecast_error or "none")

    def check_forecast(outcome):
        what = f"model_forecast(model, {label}, WINDOW_SIZE={window_size})"
        if shared.get("model") is False:
            return  # no model to forecast with: the case before this one says so
        value = checks.require_value(what, outcome, f"a numpy array of shape ({length},)")
        if isinstance(value, TypedArray) and value.shape == (length, 1):
            raise Failure(what, f"shape ({length},)", f"shape {value.shape} (flatten it: forecast[:, 0])")
        got = checks.array(what, outcome, shape=(length,))
        expected = shared.get("forecast")
        if expected is not None:
            checks.close(what, got, expected, atol=atol, rtol=1e-3, label="forecast")

    probe_model = Case("model", variable("model"), check_model, hidden, Forecast(series, window_size))
    probe_forecast = Case(
        "model_forecast",
        call("model_forecast", Global("model"), series[:-1], window_size),
        check_forecast,
        hidden,
    )
    return [probe_model, probe_forecast]


def _forecast_cases(rng):
    """model_forecast with the notebook's own `model`, against the grader's forecast of it.

    Two cases per series: the first reads `model` and has the grader forecast `series` with it
    (after a reload, in a fresh process); the second calls model_forecast on `series[:-1]`, which
    holds the same windows, and is compared with the first one's forecast.
    """

    _, values = load_series()
    valid = values[SPLIT_TIME - WINDOW_SIZE :].astype("float32")
    length = WINDOW_SIZE + int(rng.integers(20, 80))
    random_series = (
        np.abs(rng.normal(0, 20, length).cumsum() + rng.uniform(20, 200)).round(1).astype("float32")
    )
    return model_forecast_pair(valid, "series[SPLIT_TIME - WINDOW_SIZE:-1]", False) + model_forecast_pair(
        random_series, f"a series of {length - 1} values", True
    )


# --- the threshold ---------------------------------------------------------------------------


def _threshold_cases(rng):
    """The grader forecasts the validation period with the student's trained model."""
    _, values = load_series()
    truth = values[SPLIT_TIME:]

    def check(outcome):
        what = "MAE of your trained model's forecast on the validation period (months 3000 on)"
        return checks.forecast_threshold(what, outcome, truth, "mae", checks.mae, MAE_THRESHOLD)

    forecast = Forecast(values[SPLIT_TIME - WINDOW_SIZE :].astype("float32"), WINDOW_SIZE)
    return [Case("threshold", variable("model"), check, forecast=forecast)]


ASSIGNMENT = Assignment(
    name="week4",
    title="Week 4: Forecasting sunspots with convolutions and LSTMs",
    tests=[
        Test("test_parse_data_from_file", 1, "parse_data_from_file", _parse_cases),
        Test("test_windowed_dataset", 2, "windowed_dataset", _dataset_cases),
        Test("test_create_uncompiled_model", 1, "create_uncompiled_model", _uncompiled_cases),
        Test("test_create_model", 1, "create_model", _compiled_cases),
        Test("test_model_forecast", 2, "model_forecast", _forecast_cases),
        Test("test_forecast_mae_threshold", 3, "forecast MAE threshold", _threshold_cases),
    ],
    data_files=(DATA_FILE,),
    # The reference needs about 50 s of CPU time in all; on a busy machine (three calibrations at
    # once) its grading took up to 6 minutes. These limits leave room for that and still stop an
    # endless loop.
    cell_seconds=240.0,
    total_seconds=480.0,
)
