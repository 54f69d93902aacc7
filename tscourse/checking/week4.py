"""Week 4's judges: parsing, windowed datasets, Conv1D + LSTM models, model_forecast, the threshold.

The dataset, model and model_forecast judges are the shared ones of `windowed`, named here so that the
week's recorded cases find them. Expected values come from outside.
"""

from __future__ import annotations

from . import checks
from .spec import Failure
from .values import Opaque
from .windowed import dataset, forecast_model, model_forecast, model_judges  # noqa: F401 (judges of week 4)

# --- exercise 1: parse_data_from_file --------------------------------------------------------


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


def parse(outcome, source, times, values):
    what = f"parse_data_from_file({source})"
    parts = checks.sequence(what, outcome, 2)
    got_times = _typed(what, "times", parts[0], "iu", "integers", "convert each time with int(row[0])")
    got_values = _typed(what, "values", parts[1], "f", "floats", "convert each value with float(row[2])")
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


# --- exercises 3 and 4: the model ------------------------------------------------------------


def check_architecture(what, info, window_size):
    layers = list(info.get("layers") or [])
    shown = ", ".join(layers) or "no layers"
    if "Conv1D" not in layers:
        raise Failure(what, "a Conv1D layer", f"layers {shown}")
    if "LSTM" not in layers:
        raise Failure(what, "at least one LSTM layer", f"layers {shown}")
    checks.window_model_shapes(what, info, window_size)


uncompiled_model, compiled_model = model_judges(check_architecture)


# --- the threshold ---------------------------------------------------------------------------


def threshold(outcome, truth, mae_threshold):
    """The grader's forecast of the trained `model` over the validation period, scored by MAE."""
    what = "MAE of your trained model's forecast on the validation period (months 3000 on)"
    return checks.forecast_threshold(what, outcome, truth, "mae", checks.mae, mae_threshold)
