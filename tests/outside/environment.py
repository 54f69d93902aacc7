"""A fresh virtual environment outside the repository, with the course's wheel and pinned requirements.

Shared by the tests that run notebooks as a student anywhere would (tests/test_outside_repository.py)
and the book build (tests/test_book.py), so that every lab is executed once per test run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
EXECUTE = Path(__file__).parent / "execute.py"


def labs() -> list[Path]:
    return sorted(p for p in (ROOT / "notebooks").rglob("lab*.ipynb") if ".ipynb_checkpoints" not in p.parts)


class Environment:
    """Builds the wheel, makes the environment and runs notebooks there, each alone in a folder."""

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
            [self.python, "-m", "pip", "install", "--quiet", "--no-compile", "-r", ROOT / "requirements.txt"]
            + [self.wheel]
        )
        # Byte-compiled on every core, as scripts/setup_env.sh does; a file that does not compile stays uncached.
        self.run([self.python, "-m", "compileall", "-q", "-j", "0", base / "venv" / "lib"], check=False)
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

    def execute(self, notebook: Path, allow_errors=False, solutions=False):
        """Run a notebook in place with this environment's kernel: (process, executed notebook).

        With `solutions`, its "Things to try" solutions run after it, in the same kernel (execute.py)."""
        flags = (["--allow-errors"] if allow_errors else []) + (["--solutions"] if solutions else [])
        command = [self.python, EXECUTE, notebook.name, *flags]
        done = self.run(command, cwd=notebook.parent, check=False, env=self.env)
        return done, nbformat.read(notebook, as_version=4)
