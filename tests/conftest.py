"""Shared fixtures: paths, the sandbox requirement and a grading helper."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder import assignments, paths, sandbox
from autograder.grading import Grader

ROOT = paths.ROOT


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

    Two labs run at a time, as scripts/execute_notebooks.py does for the book build."""
    from concurrent.futures import ThreadPoolExecutor

    from outside.environment import labs

    copies = {lab: outside.alone(lab, f"{lab.parent.name}-{lab.stem}") for lab in labs()}
    with ThreadPoolExecutor(max_workers=2) as pool:  # two kernels at once use both cores better
        done = dict(
            zip(copies, pool.map(lambda copy: outside.execute(copy)[0], copies.values()), strict=True)
        )
    return {lab: (done[lab], copy) for lab, copy in copies.items()}


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
