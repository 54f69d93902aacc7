"""The student edition: the part of the course a student sees, without what only the grader knows.

    python -m autograder publish DIR [--force]

writes the book's sources, the labs, the released assignments, the data and the student package
(`tscourse`, with the visible tests' recorded expected values) into DIR, with a pyproject, a
requirements file, a README for students and their guide (docs/students.md), and the scripts that
build the book. Solutions, the grader (`autograder`: reference code, hidden cases, sandbox, batch
grading, gradebook), calibration notes, the other guides and the test suite stay behind, so the
instructor's repository can stay private while the edition is published (and is what the online book
is built from).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from . import paths

ROOT = paths.ROOT
# What a student gets, as it is in the repository; the book's configuration may name more (below).
STUDENT_PATHS = ("book", "notebooks", "data", "tscourse", "binder", "_config.yml", "_toc.yml", ".gitignore")
# Never part of the edition, whatever refers to it.
INSTRUCTOR_PATHS = ("solutions", "autograder", "docs", "tests", ".ci", "README.md", "pyproject.toml")
# The one guide of docs/ written for students: the edition's README links it.
STUDENT_GUIDE = "docs/students.md"
BUILD_SCRIPT = "scripts/build_book.sh"
SKIP = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".ipynb_checkpoints", "_build", ".pytest_cache", ".ruff_cache", "*.egg-info"
)
INSTRUCTOR_REQUIREMENTS = ("nbgrader", "pytest", "ruff")  # pins only instructors and contributors need
# Text that only the authored notebooks and the grader hold (nbgrader's markers).
LEAK_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


class PublishError(Exception):
    pass


def _config_paths() -> set[str]:
    """Files and folders the book's configuration names (bibliographies, static files, a logo)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config.pop("exclude_patterns", None)
    # Sphinx extensions are copied as modules, not whole folders: see build_scripts.
    config.get("sphinx", {}).pop("local_extensions", None)
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value and not value.startswith(("/", "..")) and "://" not in value:
            if (ROOT / value).exists() and ROOT / value != ROOT:
                found.add(str(Path(value)))

    walk(config)
    return found


def _local_extensions() -> list[str]:
    """The modules of the book's own Sphinx extensions (`sphinx.local_extensions`: name -> folder)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    extensions = (config.get("sphinx") or {}).get("local_extensions") or {}
    return [f"{folder}/{name}.py" for name, folder in extensions.items()]


def build_scripts() -> list[str]:
    """The book's build script, its own Sphinx extensions and every script they name, followed from script to script."""
    pending, found = [BUILD_SCRIPT, *_local_extensions()], []
    while pending:
        script = pending.pop()
        if script in found or not (ROOT / script).is_file():
            continue
        found.append(script)
        pending += re.findall(r"scripts/[\w./-]+\.(?:sh|py)", (ROOT / script).read_text(encoding="utf-8"))
    return sorted(found)


def edition_paths() -> list[str]:
    """Every path (relative to the repository) copied into the edition."""
    chosen = set(STUDENT_PATHS) | _config_paths() | set(build_scripts())
    blocked = [p for p in chosen if Path(p).parts[0] in INSTRUCTOR_PATHS]
    return sorted(p for p in chosen if p not in blocked and (ROOT / p).exists())


def student_pyproject(text: str) -> str:
    """The repository's pyproject.toml without the grader's package and command."""
    text = re.sub(r"\n\[project\.scripts\]\n(?:[^\n\[][^\n]*\n)*", "\n", text)
    text = re.sub(r'\n\s*"autograder(\.[\w.]+)?",[^\n]*', "", text)
    text = text.replace(
        'description = "Sequences, Time Series and Prediction: course book, labs and autograder"',
        'description = "Sequences, Time Series and Prediction: course book, labs and assignment checks"',
    )
    return text


def student_requirements(text: str) -> str:
    """requirements.txt without the pins only the grader and the test suite need."""
    lines = [
        line
        for line in text.splitlines()
        if not re.match(rf"({'|'.join(INSTRUCTOR_REQUIREMENTS)})\s*(==|;|$)", line.strip())
    ]
    return "\n".join(lines) + "\n"


README = """\
# Sequences, Time Series and Prediction (student edition)

An open course on forecasting time series, from statistical baselines to convolutional and recurrent
networks on real sunspot and weather data: a Jupyter Book with labs, quizzes and five graded
assignments. This is its student edition: the book, the labs, the assignments as you receive them,
the data, and the `tscourse` package with the assignments' visible tests.

## Set-up

On Linux with Python 3.11 (no GPU needed):

```bash
bash scripts/build_book.sh   # install into .venv, execute every lab, render the site to _build/html
```

Then open `_build/html/index.html`, or work in Jupyter: `.venv/bin/jupyter lab`. Anywhere else (Colab,
Binder, your own Python 3.11 to 3.13), a notebook's first cell installs the course package when it is
missing.

## Assignments

Each week's assignment is `notebooks/weekN/assignment.ipynb`. Fill in the exercise cells; the test cells
below them run the visible tests as you go. Before you submit, run the whole notebook and check it:

```bash
python -m tscourse check week1 notebooks/week1/assignment.ipynb
```

`check` runs the notebook's cells, then every visible test, and prints the same messages the grader
gives for those tests. The grader also runs hidden tests (the same functions on other inputs), and
grades a model's forecast with the thresholds the assignment pages state.

The [students' guide](docs/students.md) says more: every way to run the course (Colab, Binder, your own
Python on Linux, macOS or Windows), how the book's quizzes and "Things to try" work, what the grader
does with your notebook, and its time limits.

## What is here

| Path | What |
|---|---|
| `book/`, `_config.yml`, `_toc.yml` | the book's chapters, quizzes and assignment pages |
| `notebooks/weekN/` | the labs and the assignment notebooks |
| `data/` | the data files (see `data/SOURCES.md`) |
| `tscourse/` | the course package: `data_path`, the visible tests and their expected values, `check` |
| `scripts/` | the book's build |
| `docs/students.md` | the students' guide |
"""


def _check_target(target: Path, force: bool):
    target = target.resolve()
    if target == ROOT or target in ROOT.parents:
        raise PublishError(f"{target} holds the repository itself; choose another folder")
    for path in edition_paths():
        if (ROOT / path).is_dir() and (ROOT / path).resolve() in [target, *target.parents]:
            raise PublishError(f"{target} is inside {path}, which the edition copies")
    if target.exists() and not target.is_dir():
        raise PublishError(f"{target} is not a folder")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise PublishError(f"{target} is not empty; use --force to replace its contents")
        for entry in target.iterdir():
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()


def leaks(target: Path) -> list[str]:
    """Files of the edition that hold a solution or hidden-test marker, or any of the grader's code."""
    found = [str(p.relative_to(target)) for p in target.rglob("*") if p.name in INSTRUCTOR_PATHS[:2]]
    for path in target.rglob("*"):
        if path.is_file() and path.suffix in (
            ".py",
            ".ipynb",
            ".md",
            ".sh",
            ".yml",
            ".txt",
            ".json",
            ".toml",
        ):
            text = path.read_text(encoding="utf-8", errors="replace")
            if any(marker in text for marker in LEAK_MARKERS):
                found.append(str(path.relative_to(target)))
    return found


def publish(target: Path, force: bool = False) -> Path:
    """Write the student edition into `target`; return it."""
    target = Path(target)
    _check_target(target, force)
    target.mkdir(parents=True, exist_ok=True)
    for path in [*edition_paths(), STUDENT_GUIDE]:
        source, destination = ROOT / path, target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=SKIP, dirs_exist_ok=True)
        else:
            shutil.copy2(source, destination)
    (target / "pyproject.toml").write_text(
        student_pyproject((ROOT / "pyproject.toml").read_text(encoding="utf-8")), encoding="utf-8"
    )
    (target / "requirements.txt").write_text(
        student_requirements((ROOT / "requirements.txt").read_text(encoding="utf-8")), encoding="utf-8"
    )
    (target / "README.md").write_text(README, encoding="utf-8")
    found = leaks(target)
    if found:
        raise PublishError("the edition would give away solutions or hidden tests: " + ", ".join(found))
    return target
