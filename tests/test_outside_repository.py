"""Students anywhere: the course installed from its wheel runs every notebook outside this checkout.

A fresh virtual environment outside the repository gets the built wheel and the pinned
requirements, nothing else (tests/outside/environment.py). Each lab and released assignment is
copied alone into an empty folder and executed there with that environment's kernel; each
solution, copied alone, passes every visible test under the student's `python -m tscourse check`
run from its folder. The book build (tests/test_book.py) renders the labs executed here.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import ROOT
from outside.environment import labs
from outside.execute import solutions

from autograder import assignments, paths

LABS = labs()
WEEKS = assignments.available()


def errors(notebook):
    """(grade_id or cell number, error name, message) of every cell that raised."""
    found = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                label = cell.metadata.get("nbgrader", {}).get("grade_id", number)
                found.append((label, output["ename"], output["evalue"][:200]))
    return found


def printed(cell):
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


@pytest.mark.slow
def test_the_installed_package_has_the_data_and_every_release(outside):
    code = (
        "import sys, tscourse, autograder.paths as p\n"
        "print(tscourse.data_path('sunspots.csv'))\n"
        "for week in sys.argv[1:]:\n"
        "    print(p.released_notebook(week).is_file(), p.released_notebook(week))"
    )
    done = outside.run([outside.python, "-c", code, *WEEKS], env=outside.env)
    data, *releases = done.stdout.splitlines()
    assert "site-packages" in data and str(ROOT) not in done.stdout
    assert len(releases) == len(WEEKS) and all(line.startswith("True ") for line in releases), releases


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=[str(lab.relative_to(ROOT / "notebooks")) for lab in LABS])
def test_a_lab_runs_alone(executed_labs, lab):
    done, copy = executed_labs[lab]
    assert done.returncode == 0, done.stderr[-3000:]
    assert errors(nbformat.read(copy, as_version=4)) == []


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=[str(lab.relative_to(ROOT / "notebooks")) for lab in LABS])
def test_every_things_to_try_solution_runs_after_its_lab(executed_labs, lab):
    """Each solution ran in the lab's kernel after the lab's cells, in order, without an error or a hang."""
    done, copy = executed_labs[lab]
    expected = solutions(nbformat.read(lab, as_version=4))
    report = json.loads(copy.with_suffix(".solutions.json").read_text())
    assert len(report) == len(expected) >= 3
    failed = [(entry["solution"], entry["error"]) for entry in report if entry["error"]]
    assert failed == [], f"Things to try solutions that fail after the lab: {failed}"
    print({entry["solution"]: entry["seconds"] for entry in report})  # seconds each, shown with -s or -rA


@pytest.mark.slow
@pytest.mark.parametrize("week", WEEKS)
def test_a_released_assignment_runs_to_the_end_with_messages(outside, week):
    done, notebook = outside.execute(outside.alone(paths.released_notebook(week), f"blank-{week}"), True)
    assert done.returncode == 0, done.stderr[-3000:]
    crashes = [
        e for e in errors(notebook) if e[1] in ("ModuleNotFoundError", "ImportError", "FileNotFoundError")
    ]
    assert crashes == []
    tests = [
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    assert tests and all("Failed test case:" in printed(cell) for cell in tests)
    test_ids = {cell.metadata["nbgrader"]["grade_id"] for cell in tests}
    assert {e[1] for e in errors(notebook) if e[0] in test_ids} == {"TestsFailed"}


@pytest.mark.slow
@pytest.mark.parametrize("week", WEEKS)
def test_a_solution_alone_passes_every_visible_test_with_check(outside, week):
    """`check` runs the notebook top to bottom from its folder and judges every visible test."""
    copy = outside.alone(paths.source_notebook(week), f"solution-{week}")
    command = [outside.python, "-m", "tscourse", "check", week, copy.name]
    checked = outside.run(command, cwd=copy.parent, check=False, env=outside.env)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    assert "All visible tests passed" in checked.stdout
    assert "Not graded" not in checked.stdout and "raised" not in checked.stdout


@pytest.mark.slow
def test_the_course_installs_from_a_git_url(outside):
    """pip builds the package from the committed repository, as from the launch buttons' URL."""
    target = outside.base / "from-git"
    command = [outside.python, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target]
    outside.run([*command, f"git+file://{ROOT}"])
    assert (target / "tscourse" / "data" / "sunspots.csv").is_file()
    assert all((target / "tscourse" / "notebooks" / week / "assignment.ipynb").is_file() for week in WEEKS)
