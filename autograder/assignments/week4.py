"""Week 4 graded assignment: forecasting the monthly sunspot numbers with Conv1D + LSTM.

The reference implementations below are the grader's own; student results are compared with
them. Hidden cases use inputs drawn at grading time, so they cannot be known in advance.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from tscourse.checking import checks
from tscourse.checking import week4 as judges
from tscourse.checking.spec import Assignment, Case, File, Test, call

from .. import paths
from .common import (
    dataset_case,
    model_cases,
    model_forecast_pair,
    ref_windows,  # noqa: F401 (the reference windows of week 4, e.g. for its tests)
    threshold_cases,
)

DATA_FILE = "sunspots.csv"  # the notebook reads it from tscourse.data_path(DATA_FILE)
SERIES_LENGTH = 3235
SPLIT_TIME = 3000
WINDOW_SIZE = 30
# Calibrated with `python scripts/calibrate.py week4 --seeds 20 --workers 2` (docs/calibration/week4.md):
# reference 14.24 to 14.63 over 20 seeds; naive 16.14, 3-month moving average 15.91, best (4-month) 15.70.
VISIBLE_SEED = 2026  # draws the visible shuffled-dataset case's series, the same for every grading
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


def _parse_cases(rng):
    def case(argument, times, values, hidden):
        source = "DATA_PATH" if not hidden else "a small file in the same format"
        params = {"source": source, "times": times, "values": values}
        return Case("parse", call("parse_data_from_file", argument), judges.parse, params, hidden)

    times, values = load_series()
    content, sample_times, sample_values = sample_csv(rng)
    return [
        case(File(DATA_FILE, (paths.DATA / DATA_FILE).read_bytes()), times, values, False),
        case(File("sunspots_sample.csv", content), sample_times, sample_values, True),
    ]


# --- exercise 2: windowed_dataset ------------------------------------------------------------


def _distinct_series(rng, length):
    """A series with distinct values, so a shuffled window can be located in it."""
    return (rng.permutation(length) * 1.5 + rng.uniform(0, 1, length).round(2) + 10).astype("float32")


def _dataset_cases(rng):
    # The visible cases' inputs are fixed (the recorded ones); only the hidden case is drawn.
    window = int(rng.integers(3, 12))
    batch = int(rng.integers(4, 12))
    length = window + int(rng.integers(2 * batch, 4 * batch + 1))
    return [
        dataset_case(np.arange(100, 140, dtype="float32"), 5, 10, 1, False, False),
        dataset_case(_distinct_series(np.random.default_rng(VISIBLE_SEED), 60), 10, 16, 1000, True, False),
        dataset_case(_distinct_series(rng, length), window, batch, 1000, True, True),
    ]


# --- exercises 3 and 4: the model ------------------------------------------------------------


_uncompiled_cases, _compiled_cases = model_cases(judges, WINDOW_SIZE)


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
    return model_forecast_pair(valid, "series[SPLIT_TIME - WINDOW_SIZE:-1]", False, WINDOW_SIZE) + (
        model_forecast_pair(random_series, f"a series of {length - 1} values", True, WINDOW_SIZE)
    )


# --- the threshold ---------------------------------------------------------------------------


def _threshold_cases(rng):
    """The grader forecasts the validation period with the student's trained model."""
    _, values = load_series()
    return threshold_cases(
        judges.threshold, values, SPLIT_TIME, "mae", MAE_THRESHOLD, window_size=WINDOW_SIZE
    )


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
