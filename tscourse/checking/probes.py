"""Probes as plain data: what the runner is asked to call, and the outcome decoded from its answer.

The grader writes these into a sandbox job; a student's own notebook runs them in its kernel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .spec import File, Global, Outcome, Probe
from .values import decode


def argument(value, inputs: dict, files_dir: Path):
    """A probe argument as the runner reads it; arrays go to `inputs`, files into `files_dir`."""
    if isinstance(value, Global):
        return {"global": value.name}
    if isinstance(value, File):
        (files_dir / value.name).write_bytes(value.content)
        return {"file": value.name}
    if isinstance(value, np.ndarray):
        key = f"i{len(inputs)}"
        inputs[key] = value
        return {"array": key}
    if isinstance(value, (np.integer, np.floating)):
        return {"value": value.item()}
    return {"value": value}


def entry(probe_id: str, probe: Probe, inputs: dict, files_dir: Path) -> dict:
    """The runner's description of one probe."""
    return {
        "id": probe_id,
        "kind": probe.kind,
        "name": probe.name,
        "args": [argument(arg, inputs, files_dir) for arg in probe.args],
        "kwargs": {key: argument(arg, inputs, files_dir) for key, arg in probe.kwargs.items()},
    }


def outcome(result, arrays, name) -> Outcome:
    """The runner's answer to one probe, decoded, or why there is none."""
    if not isinstance(result, dict):
        return Outcome("lost", detail="the grader received no result for this call")
    kind = result.get("kind")
    if kind == "missing":
        return Outcome("missing", detail=name)
    if kind == "not_callable":
        return Outcome("not_callable", detail=name)
    if kind == "error":
        return Outcome("error", detail=str(result.get("error", ""))[:400])
    try:
        return Outcome("value", decode(result, arrays))
    except Exception:
        return Outcome("lost", detail="the grader could not read the value this call returned")


def split_warning(measured: dict):
    """A check's measurements without its optional "warning" text, and that text (or None).

    A check passes with a warning by returning {"warning": "..."} (with or without numbers);
    the warning is added to the passing message and never costs points.
    """
    measured = dict(measured)
    warning = measured.pop("warning", None)
    return measured, (str(warning) if warning else None)
