"""What a passing check may add to its message: measurements, and an optional warning.

How probes cross into the sandbox and how their answers come back is the job protocol
(`protocol`); this module is about what a judge returns once it has read an answer.
"""

from __future__ import annotations


def split_warning(measured: dict):
    """A check's measurements without its optional "warning" text, and that text (or None).

    A check passes with a warning by returning {"warning": "..."} (with or without numbers);
    the warning is added to the passing message and never costs points.
    """
    measured = dict(measured)
    warning = measured.pop("warning", None)
    return measured, (str(warning) if warning else None)
