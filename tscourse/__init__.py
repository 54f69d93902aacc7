"""The student's side of the course: its data files, found wherever the course is installed.

Notebooks get a data file's path with `data_path("sunspots.csv")`. It works in a clone of the
repository (the files are in `data/`), from an installed wheel (the files are package data), and
inside the grader's sandbox (which holds a copy of this package). Nothing here grades anything.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_path", "data_dir", "record_path"]

_HERE = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The folder that holds the course's data files."""
    for candidate in (_HERE / "data", _HERE.parent / "data"):  # installed package, then a checkout
        if (candidate / "SOURCES.md").is_file():
            return candidate
    raise FileNotFoundError(
        "the course's data files are missing: install the course package "
        "(see the README's 'Run it' section) or work in a clone of the repository"
    )


def data_path(name: str) -> str:
    """The path of one of the course's data files, e.g. data_path("sunspots.csv")."""
    path = data_dir() / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in data_dir().iterdir() if p.name != "SOURCES.md"))
        raise FileNotFoundError(f"no data file named {name!r}; the course has: {known}")
    return str(path)


def record_path(name: str) -> str:
    """The path of a record the course's own scripts measured (e.g. "seed_study_lab3.json")."""
    path = _HERE / "records" / name
    if not path.is_file():
        raise FileNotFoundError(f"no record named {name!r} in {path.parent}")
    return str(path)
