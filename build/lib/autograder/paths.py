"""Where a notebook lives at each stage of its journey through the course.

In a clone of the repository everything is here. From an installed package (a wheel, pip from a
git URL) only the student's side is: the data files and the released notebooks, as package data
of `tscourse`; solutions exist only in the repository.
"""

from pathlib import Path

import tscourse

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"  # authored source, with solutions and hidden tests
RELEASED = ROOT / "notebooks"  # generated student copies
DATA = tscourse.data_dir()
NOTEBOOK_NAME = "assignment.ipynb"
PACKAGED_NOTEBOOKS = Path(tscourse.__file__).resolve().parent / "notebooks"


def source_notebook(assignment: str) -> Path:
    return SOLUTIONS / assignment / NOTEBOOK_NAME


def released_notebook(assignment: str) -> Path:
    """The released master copy: the repository's, or the one packaged with an installed course."""
    for folder in (RELEASED, PACKAGED_NOTEBOOKS):
        if (folder / assignment / NOTEBOOK_NAME).is_file():
            return folder / assignment / NOTEBOOK_NAME
    return RELEASED / assignment / NOTEBOOK_NAME
