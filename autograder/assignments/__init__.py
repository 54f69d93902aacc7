"""The course's graded assignments, by name."""

from __future__ import annotations

import importlib

from tscourse.checking.spec import Assignment

NAMES = ("week1", "week2", "week3", "week4", "week5")


class UnknownAssignment(KeyError):
    pass


def get(name: str) -> Assignment:
    """The assignment called `name` (e.g. "week1")."""
    if name not in NAMES:
        raise UnknownAssignment(f"unknown assignment {name!r}; choose one of {', '.join(available())}")
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        raise UnknownAssignment(f"assignment {name!r} is not written yet") from exc
    return module.ASSIGNMENT


def available():
    """Names of the assignments that exist in this checkout."""
    found = []
    for name in NAMES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError:
            continue
        found.append(name)
    return found
