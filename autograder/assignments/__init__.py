"""The course's graded assignments, by name: each module `weekN` here is one (its `ASSIGNMENT`).

The registry is derived from the modules present, so adding a week is adding its module; nothing
else lists the weeks by hand (pyproject.toml's per-week notebook packages are packaging, not a registry).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from tscourse.checking.spec import Assignment

_WEEK = re.compile(r"week(\d+)")


def _names():
    found = [m.name for m in pkgutil.iter_modules(__path__) if _WEEK.fullmatch(m.name)]
    return tuple(sorted(found, key=lambda name: int(_WEEK.fullmatch(name)[1])))


NAMES = _names()


class UnknownAssignment(KeyError):
    pass


def get(name: str) -> Assignment:
    """The assignment called `name` (e.g. "week1")."""
    if name not in NAMES:
        raise UnknownAssignment(f"unknown assignment {name!r}; choose one of {', '.join(available())}")
    return importlib.import_module(f"{__name__}.{name}").ASSIGNMENT


def available():
    """Names of the assignments that exist in this checkout, in week order."""
    return list(NAMES)
