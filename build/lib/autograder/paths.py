"""Where a notebook lives at each stage of its journey through the course."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"  # authored source, with solutions and hidden tests
RELEASED = ROOT / "notebooks"  # generated student copies
DATA = ROOT / "data"
NOTEBOOK_NAME = "assignment.ipynb"


def source_notebook(assignment: str) -> Path:
    return SOLUTIONS / assignment / NOTEBOOK_NAME


def released_notebook(assignment: str) -> Path:
    return RELEASED / assignment / NOTEBOOK_NAME
