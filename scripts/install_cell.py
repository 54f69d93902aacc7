"""Keep the first cell of every notebook the one that installs the course outside this repository.

A notebook opened in Colab, on Binder or after a download has no course package; its first code
cell installs it (with TensorFlow only where none is there) from the repository named in
`_config.yml` (`repository.url` and `repository.branch`), the one place the URL is set. In the
course's own environment the cell finds the package and does nothing.

    python scripts/install_cell.py          # rewrite the cell in every lab and solution notebook
    python scripts/install_cell.py --check  # exit 1 if any notebook's cell is missing or stale

Released assignments get the cell from their solutions (`python -m autograder release`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CELL_ID = "install-course"
GRADE_ID = "setup_install"
TEMPLATE = """\
# Outside the course's own environment (Colab, Binder, a downloaded notebook) this installs the
# course package with its data; where the package is already installed it does nothing.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("tscourse") is None:
    extra = "" if importlib.util.find_spec("tensorflow") else "[tensorflow]"
    package = f"time-series-course{{extra}} @ git+{url}@{branch}"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)"""


def repository() -> tuple[str, str]:
    """The course repository's URL and branch, from _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"], config["repository"].get("branch", "main")


def cell_source() -> str:
    url, branch = repository()
    return TEMPLATE.format(url=url, branch=branch)


def notebooks() -> list[Path]:
    """Every notebook a student opens: labs and authored assignments (releases follow these)."""
    labs = sorted((ROOT / "notebooks").rglob("*.ipynb"))
    labs = [
        path for path in labs if path.name != "assignment.ipynb" and ".ipynb_checkpoints" not in path.parts
    ]
    return labs + sorted((ROOT / "solutions").glob("*/assignment.ipynb"))


def install_cell(path: Path) -> nbformat.NotebookNode:
    """The cell for this notebook: a locked nbgrader setup cell in an assignment, hidden in the book."""
    cell = nbformat.v4.new_code_cell(cell_source())
    cell.id = CELL_ID
    cell.metadata["tags"] = ["remove-cell"]
    if path.name == "assignment.ipynb":
        cell.metadata["nbgrader"] = {
            "grade": False,
            "grade_id": GRADE_ID,
            "locked": True,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
    return cell


def current(notebook) -> bool:
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return bool(code) and code[0].get("id") == CELL_ID and code[0].source == cell_source()


def write(path: Path):
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [cell for cell in notebook.cells if cell.get("id") != CELL_ID]
    first_code = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code")
    notebook.cells.insert(first_code, install_cell(path))
    nbformat.write(notebook, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks whose cell is stale")
    args = parser.parse_args(argv)
    stale = [path for path in notebooks() if not current(nbformat.read(path, as_version=4))]
    if args.check:
        for path in stale:
            print(f"stale install cell: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    for path in stale:
        write(path)
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
