"""Case builders that several weeks use; each week passes its own data, judges and bars.

No week imports another week: what two of them share lives here (the judges they use live in
`tscourse.checking.windowed` and the weeks' own judge modules).
"""

from __future__ import annotations

import numpy as np

from tscourse.checking import windowed
from tscourse.checking.spec import Case, Forecast, Global, Shared, call, variable


def ref_windows(series, window_size):
    """Every (window, next value) pair of a series, in order."""
    series = np.asarray(series, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], window_size)
    return windows, series[window_size:]


# --- the threshold ---------------------------------------------------------------------------


def threshold_cases(
    judge, series, split_time, metric, bar, *, window_size=None, inputs=None, probe=None, **context
):
    """The threshold test's one case: a forecast of the validation period `series[split_time:]`, judged
    by the week's `judge` against `bar` (its parameter `{metric}_threshold`, e.g. mae_threshold).

    By default the grader forecasts the period with the trained `model` itself, window by window,
    from `inputs[split_time - window_size:]` (`inputs` is what the model reads: `series`, or e.g. its
    normalised form); a `probe` (a call of the notebook's own functions) gives the forecast instead.
    `context` holds the judge's other parameters (a baseline's score, the normalisation), passed
    between the truth and the bar.
    """
    params = {"truth": series[split_time:], **context, f"{metric}_threshold": bar}
    if probe is not None:
        return [Case("threshold", probe, judge, params)]
    inputs = series if inputs is None else inputs
    forecast = Forecast(np.asarray(inputs[split_time - window_size :], dtype="float32"), window_size)
    return [Case("threshold", variable("model"), judge, params, forecast=forecast)]


# --- windowed_dataset, the model and model_forecast (weeks 4 and 5) --------------------------


def dataset_case(series, window, batch, buffer, shuffled, hidden):
    """A windowed_dataset case, judged by `windowed.dataset`."""
    windows, labels = ref_windows(series, window)
    params = {"length": len(series), "batch": batch, "buffer": buffer, "shuffled": shuffled}
    params |= {"windows": windows, "labels": labels}
    probe = call("windowed_dataset", series, window, batch, buffer)
    return Case("dataset", probe, windowed.dataset, params, hidden)


def model_cases(judge_module, window_size):
    """The cases of create_uncompiled_model and create_model, judged by the week's `uncompiled_model`
    and `compiled_model` (see `windowed.model_judges`)."""

    def uncompiled_cases(rng):
        params = {"window_size": window_size}
        return [
            Case("uncompiled model", call("create_uncompiled_model"), judge_module.uncompiled_model, params)
        ]

    def compiled_cases(rng):
        params = {"window_size": window_size}
        return [Case("compiled model", call("create_model"), judge_module.compiled_model, params)]

    return uncompiled_cases, compiled_cases


def model_forecast_pair(series, label, hidden, window_size, atol=1e-2):
    """Two cases: the grader's forecast of the notebook's `model` on `series`, and model_forecast on
    `series[:-1]` (the same windows) compared with it."""
    shared = Shared("hidden" if hidden else "visible")
    params = {"label": label, "window_size": window_size, "length": len(series) - window_size, "atol": atol}
    probe_model = Case(
        "model",
        variable("model"),
        windowed.forecast_model,
        {"shared": shared},
        hidden,
        Forecast(series, window_size),
    )
    probe_forecast = Case(
        "model_forecast",
        call("model_forecast", Global("model"), series[:-1], window_size),
        windowed.model_forecast,
        {**params, "shared": shared},
        hidden,
    )
    return [probe_model, probe_forecast]
