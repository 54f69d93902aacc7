"""Students anywhere: the course installed from its wheel runs every notebook outside this checkout.

A fresh virtual environment outside the repository gets the built wheel and the pinned
requirements, nothing else. Each lab, released assignment and solution is copied alone into an
empty folder and executed there with that environment's kernel; `python -m autograder check`
runs from that folder too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from autograder import assignments, paths

EXECUTE = Path(__file__).parent / "outside" / "execute.py"
LABS = sorted(p for p in (ROOT / "notebooks").rglob("lab*.ipynb") if ".ipynb_checkpoints" not in p.parts)
WEEKS = assignments.available()


class Environment:
    """A fresh virtual environment with the course's wheel and pinned requirements."""

    def __init__(self, base: Path):
        self.base = base
        wheels = base / "wheel"
        self.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, ROOT]
        )
        (self.wheel,) = wheels.glob("*.whl")
        self.run([sys.executable, "-m", "venv", base / "venv"])
        self.python = base / "venv" / "bin" / "python"
        self.run(
            [self.python, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.txt", self.wheel]
        )
        self.run([self.python, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"])
        # Only this environment's kernel: its own data folder comes first on Jupyter's path.
        self.env = {**os.environ, "JUPYTER_PATH": str(base / "venv" / "share" / "jupyter")}
        self.env.pop("PYTHONPATH", None)

    def run(self, command, cwd=None, check=True, env=None):
        return subprocess.run(
            [str(part) for part in command],
            cwd=cwd or self.base,
            env=env,
            capture_output=True,
            text=True,
            check=check,
            timeout=1200,
        )

    def alone(self, notebook: Path, name: str) -> Path:
        """A copy of `notebook` in an empty folder of its own, outside the repository."""
        folder = self.base / "alone" / name
        folder.mkdir(parents=True)
        return Path(shutil.copy(notebook, folder / notebook.name))

    def execute(self, notebook: Path, allow_errors=False):
        command = [self.python, EXECUTE, notebook.name] + (["--allow-errors"] if allow_errors else [])
        done = self.run(command, cwd=notebook.parent, check=False, env=self.env)
        return done, nbformat.read(notebook, as_version=4)


@pytest.fixture(scope="module")
def outside(tmp_path_factory):
    base = tmp_path_factory.mktemp("outside")
    assert ROOT not in base.parents
    return Environment(base)


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
def test_a_lab_runs_alone(outside, lab):
    done, notebook = outside.execute(outside.alone(lab, f"{lab.parent.name}-{lab.stem}"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert errors(notebook) == []


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
def test_a_solution_passes_alone_and_checks_from_its_folder(outside, week):
    copy = outside.alone(paths.source_notebook(week), f"solution-{week}")
    done, notebook = outside.execute(copy)
    assert done.returncode == 0, done.stderr[-3000:]
    assert errors(notebook) == []
    checked = outside.run(
        [outside.python, "-m", "autograder", "check", week, copy.name],
        cwd=copy.parent,
        check=False,
        env=outside.env,
    )
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    assert "All visible tests passed" in checked.stdout
