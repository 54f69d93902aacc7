"""Week 2 graded assignment: windowed datasets and a Dense-only network.

The reference implementations below are the grader's own; student results are compared with
them. Hidden cases use inputs drawn at grading time, so they cannot be known in advance.

`windowed_dataset` must yield batches of `(features, labels)`: features of shape
`(batch, window_size)` (float32, like the series) and labels of shape `(batch,)`, one value per
window: the value that follows it.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ..spec import Assignment, Case, Failure, Forecast, Test, call, variable

SPLIT_TIME = 1100
WINDOW_SIZE = 20
BATCH_SIZE = 32
SHUFFLE_BUFFER_SIZE = 1000
NOISE_LEVEL = 4.5
# The original course's bar, checked with `python scripts/calibrate.py week2` (docs/calibration/week2.md):
# the reference scores 24.0-27.9 over 20 seeds (median 24.9); naive 44.2, 20-day moving average 40.9.
MSE_THRESHOLD = 30.0
# Parameters of the reference network (20 -> Dense(32) -> Dense(16) -> Dense(1)); a model with
# many times more is not wrong, but it trains slower and overfits more easily: a warning, no failure.
REFERENCE_PARAMS = (20 * 32 + 32) + (32 * 16 + 16) + (16 + 1)
PARAMS_WARNING_FACTOR = 10
REGRESSION_LOSSES = {
    "mse",
    "meansquarederror",
    "mae",
    "meanabsoluteerror",
    "huber",
    "huberloss",
    "logcosh",
    "msle",
    "meansquaredlogarithmicerror",
}
ALLOWED_LAYERS = {"Dense", "InputLayer"}


def seasonal_pattern(season_time):
    """A slow rise that accelerates over three quarters of the year, then a quick fall back."""
    return np.where(
        season_time < 0.75,
        (season_time / 0.75) ** 2,
        np.cos((season_time - 0.75) / 0.25 * np.pi / 2),
    )


def make_signal():
    """Trend + yearly seasonality, without noise: four years and one day of daily steps."""
    time = np.arange(4 * 365 + 1, dtype="float32")
    return time, 15 + 0.025 * time + 60 * seasonal_pattern((time % 365) / 365)


def make_series():
    """The assignment's series: the signal plus Gaussian noise (seed 6), as float32."""
    time, signal = make_signal()
    rng = np.random.default_rng(6)
    series = signal + rng.standard_normal(len(time)) * NOISE_LEVEL
    return time, series.astype("float32")


# --- reference implementations (never shown to students) -------------------------------


def ref_windows(series, window_size):
    """Every window of `window_size` values with the value after it: (features, labels)."""
    series = np.asarray(series)
    positions = np.arange(len(series) - window_size)[:, None] + np.arange(window_size + 1)
    windows = series[positions]
    return windows[:, :-1], windows[:, -1]


def ref_naive(series, split_time):
    return series[split_time - 1 : -1]


def ref_moving_average(series, split_time, window_size):
    cumulative = np.cumsum(np.insert(np.asarray(series, dtype=float), 0, 0.0))
    averages = (cumulative[window_size:] - cumulative[:-window_size]) / window_size
    return averages[split_time - window_size : -1]


def ref_least_squares(series, split_time, window_size):
    """The best linear model of a window (a single Dense(1) layer, solved exactly)."""
    features, labels = ref_windows(np.asarray(series, dtype=float), window_size)
    design = np.c_[features, np.ones(len(features))]
    train = split_time - window_size
    coefficients, *_ = np.linalg.lstsq(design[:train], labels[:train], rcond=None)
    return design[train:] @ coefficients


def baselines():
    """MSE of simple forecasts on the validation period, for calibration."""
    _, signal = make_signal()
    _, series = make_series()
    truth = series[SPLIT_TIME:]
    return {
        "naive MSE": checks.mse(truth, ref_naive(series, SPLIT_TIME)),
        f"moving average ({WINDOW_SIZE} days) MSE": checks.mse(
            truth, ref_moving_average(series, SPLIT_TIME, WINDOW_SIZE)
        ),
        f"least-squares linear model (window {WINDOW_SIZE}) MSE": checks.mse(
            truth, ref_least_squares(series, SPLIT_TIME, WINDOW_SIZE)
        ),
        "noise floor (true signal as forecast) MSE": checks.mse(truth, signal[SPLIT_TIME:]),
    }


# --- checks of a windowed dataset ---------------------------------------------------------


def _arguments(series, window, batch, shuffle):
    return (
        f"windowed_dataset(series of {len(series)} values, window_size={window}, "
        f"batch_size={batch}, shuffle_buffer={shuffle})"
    )


def _batches(what, sample, window, batch):
    """The sampled batches as (features, labels), failing on wrong shapes or dtypes."""
    pairs = checks.batch_pairs(what, sample)
    last = len(pairs) - 1
    for number, (features, labels) in enumerate(pairs):
        name = f"{what}: batch {number + 1}"
        rows = features.shape[0] if features.ndim else 0
        if features.ndim != 2 or features.shape[1] != window:
            hint = (
                " (no extra feature axis here: the model starts with Dense layers)"
                if features.ndim == 3
                else ""
            )
            raise Failure(
                name,
                f"features of shape ({batch}, {window}), one window per row",
                f"shape {features.shape}{hint}",
            )
        if labels.shape != (rows,):
            hint = " (take the label as window[-1], not window[-1:])" if labels.shape == (rows, 1) else ""
            raise Failure(
                name, f"labels of shape ({rows},), one value per window", f"shape {labels.shape}{hint}"
            )
        if rows > batch or (rows < batch and number < last) or rows == 0:
            raise Failure(name, f"{batch} windows per batch (batch_size)", f"{rows}")
        for part, array in (("features", features), ("labels", labels)):
            if array.dtype != np.float32:
                raise Failure(name, f"{part} of dtype float32, like the series", f"dtype {array.dtype}")
    return pairs


def _check_pairs(what, pairs, series, window):
    """Every (window, label) must be consecutive values of the series and the value after them."""
    ref_features, ref_labels = ref_windows(series, window)
    for number, (features, labels) in enumerate(pairs):
        name = f"{what}: batch {number + 1}"
        for row, found in enumerate(checks.window_positions(name, features, ref_features)):
            if not np.any(np.isclose(labels[row], ref_labels[found], atol=1e-5)):
                raise Failure(
                    name,
                    f"the label of row {row} to be the value after its window, {ref_labels[found[0]]:.6g}",
                    f"{labels[row]:.6g}",
                )


def _dataset_cases(rng):
    """Shapes, dtypes and consistent (window, label) pairs, with shuffling on."""

    def case(series, window, batch, shuffle, hidden):
        def check(outcome):
            what = _arguments(series, window, batch, shuffle)
            pairs = _batches(what, checks.dataset(what, outcome), window, batch)
            _check_pairs(what, pairs, series, window)
            features = np.concatenate([f for f, _ in pairs])
            in_order = ref_windows(series, window)[0][: len(features)]
            if len(features) > 2 * batch and np.allclose(features, in_order, atol=1e-5):
                raise Failure(
                    what,
                    f"windows shuffled with a buffer of {shuffle}",
                    "the windows in their original order (call dataset.shuffle(shuffle_buffer) before batching)",
                )

        return Case(
            "windowed dataset", call("windowed_dataset", series, window, batch, shuffle), check, hidden
        )

    _, series = make_series()
    train = series[:SPLIT_TIME]
    length = int(rng.integers(150, 300))
    hidden = _random_series(rng, length)
    return [
        case(train, WINDOW_SIZE, BATCH_SIZE, SHUFFLE_BUFFER_SIZE, False),
        case(hidden, int(rng.integers(3, 12)), int(rng.integers(8, 20)), 100, True),
    ]


def _no_shuffle_cases(rng):
    """With shuffle_buffer=1 the batches hold the first windows, in order."""

    def case(series, window, batch, hidden):
        def check(outcome):
            what = _arguments(series, window, batch, 1)
            sample = checks.dataset(what, outcome)
            pairs = _batches(what, sample, window, batch)
            features = np.concatenate([f for f, _ in pairs])
            ref_features, ref_labels = ref_windows(series, window)
            if len(features) > len(ref_features):
                raise Failure(what, f"{len(ref_features)} windows in all", f"{len(features)} or more")
            _check_pairs(what, pairs, series, window)  # genuine windows and labels first
            for number, (got_f, got_l) in enumerate(pairs):
                start = number * batch
                expected_f = ref_features[start : start + len(got_f)]
                expected_l = ref_labels[start : start + len(got_f)]
                if not (
                    np.allclose(got_f, expected_f, atol=1e-5) and np.allclose(got_l, expected_l, atol=1e-5)
                ):
                    first = np.flatnonzero(np.all(np.isclose(ref_features, got_f[0], atol=1e-5), axis=1))[0]
                    raise Failure(
                        f"{what}: batch {number + 1}",
                        f"windows {start} to {start + len(got_f) - 1} of the series in order "
                        "(a shuffle buffer of 1 keeps the order)",
                        f"a batch that starts with window {first} "
                        "(is the shuffle buffer hard-coded instead of using shuffle_buffer?)",
                    )
            if not sample.truncated:
                seen, total = len(features), len(ref_features)
                if seen not in (total, total // batch * batch):
                    raise Failure(what, f"all {total} windows of the series", f"{seen} windows")

        return Case("no shuffle", call("windowed_dataset", series, window, batch, 1), check, hidden)

    _, series = make_series()
    window, batch = int(rng.integers(3, 10)), int(rng.integers(4, 10))
    # short enough that every batch is sampled, the last (smaller) one included
    length = window + 3 * batch + int(rng.integers(1, batch))
    return [
        case(series[:SPLIT_TIME], WINDOW_SIZE, BATCH_SIZE, False),
        case(_random_series(rng, length), window, batch, True),
    ]


def _random_series(rng, length):
    return (rng.normal(0, 10, length).cumsum() + 50).astype("float32")


# --- checks of the model ----------------------------------------------------------------


def _model_cases(rng):
    def case(window, hidden):
        def check(outcome):
            what = f"create_model({window})"
            info = checks.model(what, outcome)
            if info.get("input_shape") != [None, window]:
                raise Failure(
                    what,
                    f"input shape (None, {window}) (start with tf.keras.Input((window_size,)))",
                    _shape(info.get("input_shape")),
                )
            if info.get("output_shape") != [None, 1]:
                raise Failure(
                    what, "output shape (None, 1): one forecast per window", _shape(info.get("output_shape"))
                )
            layers = list(info.get("layers") or [])
            others = [name for name in layers if name not in ALLOWED_LAYERS]
            if others or "Dense" not in layers:
                raise Failure(what, "only Dense layers", "layers " + ", ".join(layers or ["(none)"]))
            loss = info.get("loss")
            if not info.get("compiled") or loss is None:
                raise Failure(
                    what, "a compiled model (call model.compile(loss=..., optimizer=...))", "no loss"
                )
            if str(loss).replace("_", "").lower() not in REGRESSION_LOSSES:
                raise Failure(what, 'a regression loss such as "mse" or "huber"', f"loss {loss}")
            return {} if hidden else params_hint(info.get("params"))

        return Case("model", call("create_model", window), check, hidden)

    return [case(WINDOW_SIZE, False), case(int(rng.integers(5, 40)), True)]


def params_hint(params):
    """The parameter count as a measurement, with a warning when it is far above the reference."""
    if not isinstance(params, int):
        return {}
    measured = {"params": params}
    if params > PARAMS_WARNING_FACTOR * REFERENCE_PARAMS:
        measured["warning"] = (
            f"your model has {params} parameters, more than {PARAMS_WARNING_FACTOR} times the "
            f"{REFERENCE_PARAMS} of the reference network; a smaller one trains faster and overfits less"
        )
    return measured


def _shape(shape):
    return "no shape" if shape is None else "shape (" + ", ".join(str(d) for d in shape) + ")"


# --- the trained model's forecast ---------------------------------------------------------


def _threshold_cases(rng):
    """The grader forecasts the validation period with the trained `model` itself."""
    _, series = make_series()
    truth = series[SPLIT_TIME:]

    def check(outcome):
        what = "MSE of your trained model's forecast on the validation period"
        return checks.forecast_threshold(what, outcome, truth, "mse", checks.mse, MSE_THRESHOLD)

    forecast = Forecast(series=series[SPLIT_TIME - WINDOW_SIZE :], window_size=WINDOW_SIZE)
    return [Case("threshold", variable("model"), check, forecast=forecast)]


ASSIGNMENT = Assignment(
    name="week2",
    title="Week 2: Forecasting with a Dense network",
    tests=[
        Test("test_windowed_dataset", 2, "windowed_dataset", _dataset_cases),
        Test("test_windowed_dataset_no_shuffle", 1, "windowed_dataset without shuffling", _no_shuffle_cases),
        Test("test_create_model", 2, "create_model", _model_cases),
        Test("test_forecast_mse_threshold", 3, "forecast MSE threshold", _threshold_cases),
    ],
    # The reference notebook runs in about 14 s of CPU time (training 6 s); the limits leave room for
    # a slow or busy machine and still stop an endless loop.
    cell_seconds=120.0,
    total_seconds=300.0,
)
