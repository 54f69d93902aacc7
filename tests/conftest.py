"""Shared fixtures: paths, the sandbox requirement and a grading helper."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from autograder import assignments, paths, sandbox
from autograder.grading import Grader

ROOT = paths.ROOT
sys.path.insert(0, str(ROOT / "scripts"))  # the build scripts, importable by the tests


def sandbox_or_skip():
    """Skip sandboxed tests where bubblewrap or root is missing; in CI that is a failure."""
    try:
        sandbox.check_available()
    except sandbox.SandboxUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must be able to run the grading sandbox: {exc}")
        pytest.skip(str(exc))


@pytest.fixture
def grade(tmp_path):
    """grade(assignment, notebook_path, student="student", seed=0) -> Result, sandboxed."""
    sandbox_or_skip()

    def run(assignment, notebook, student="student", seed=0):
        grader = Grader(assignments.get(assignment), tmp_path / "work", seed=seed)
        return grader.grade(Path(notebook), student)

    return run


@pytest.fixture(scope="session")
def outside(tmp_path_factory):
    """The course installed from its wheel into a fresh environment outside the repository."""
    from outside.environment import Environment

    base = tmp_path_factory.mktemp("outside")
    assert ROOT not in base.parents
    return Environment(base)


@pytest.fixture(scope="session")
def executed_labs(outside):
    """Every lab executed once, alone in an empty folder, in that environment: {lab: (process, path)}.

    Each lab's "Things to try" solutions run after it in the same kernel (their outcomes beside the copy,
    in LAB.solutions.json); the copy keeps the lab's cells only. Two labs run at a time, as
    scripts/execute_notebooks.py does for the book build."""
    from concurrent.futures import ThreadPoolExecutor

    from execute_notebooks import longest_first
    from outside.environment import labs

    copies = {lab: outside.alone(lab, f"{lab.parent.name}-{lab.stem}") for lab in longest_first(labs())}
    with ThreadPoolExecutor(max_workers=2) as pool:  # two kernels at once use both cores better
        done = dict(
            zip(copies, pool.map(lambda copy: outside.execute(copy, solutions=True)[0], copies.values()), strict=True)
        )
    return {lab: (done[lab], copy) for lab, copy in copies.items()}


def book_tree(target: Path, executed_labs: dict) -> Path:
    """The student edition (what the online book is built from), with the labs executed outside the repository."""
    from autograder import publish

    publish.publish(target)
    for lab, (_, executed) in executed_labs.items():
        shutil.copy(executed, target / lab.relative_to(ROOT))
    config = yaml.safe_load((target / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"  # each lab ran once already, from the installed wheel
    (target / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, executed_labs):
    """(build process, html folder): the site built once per test run, from the labs executed outside.

    The book test checks the build; the browser test reads the site."""
    failed = [str(lab) for lab, (done, _) in executed_labs.items() if done.returncode != 0]
    assert failed == [], "labs that did not run (see tests/test_outside_repository.py)"
    base = tmp_path_factory.mktemp("site")
    source = book_tree(base / "book", executed_labs)
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(source),
        "--path-output",
        str(base),
        "-W",
        "-n",
        "--keep-going",
    ]
    build = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    return build, base / "_build" / "html"


def scores(result):
    return {test.name: test.score for test in result.tests}


def solution_with(assignment, tmp_path, replacements, name="variant.ipynb"):
    """A copy of the solution notebook with some cells' code replaced, keyed by grade_id."""
    notebook = nbformat.read(paths.source_notebook(assignment), as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
    target = tmp_path / name
    nbformat.write(notebook, target)
    return target


def released_copy(assignment, tmp_path, name="assignment.ipynb"):
    target = tmp_path / name
    shutil.copy(paths.released_notebook(assignment), target)
    return target
