"""Generate a synthetic class of Week 1 submissions: correct, partial, broken and hostile.

    python scripts/generate_class.py OUT_FOLDER --count 200

Each student folder holds one notebook built from the reference solution or the blank release,
with a known change, so the expected score of every submission is known in advance
(`EXPECTED_SCORES`). The load test and the benchmark both use it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder import paths  # noqa: E402

OFF_BY_ONE = (
    "def moving_average_forecast(series, window_size):\n"
    "    return np.array([series[i : i + window_size].mean() "
    "for i in range(len(series) - window_size + 1)])"
)
WRONG_NAIVE = "def naive_forecast(series, split_time):\n    return series[split_time:]"
SYNTAX_ERROR = "def naive_forecast(series, split_time)\n    return series"
MONKEYPATCH = "import numpy as np\nnp.allclose = lambda *a, **k: True\nprint('All tests passed.')"
FLOOD = "while True:\n    print('spam ' * 500)"

# kind -> (base notebook, {grade_id: new source}, extra cell, expected score out of 12)
KINDS = {
    "correct": ("solution", {}, "", 12.0),
    "blank": ("release", {}, "", 0.0),
    "off_by_one_moving_average": ("solution", {"moving_average_forecast": OFF_BY_ONE}, "", 4.0),
    "wrong_naive": ("solution", {"naive_forecast": WRONG_NAIVE}, "", 11.0),
    "syntax_error": ("solution", {"naive_forecast": SYNTAX_ERROR}, "", 11.0),
    "invalid_json": ("raw", {}, "", 0.0),
    "os_exit": ("solution", {}, "import os\nos._exit(1)", 12.0),
    "monkeypatch_on_blank": ("release", {}, MONKEYPATCH, 0.0),
    "print_flood": ("solution", {}, FLOOD, 12.0),
    "renamed_correct": ("solution", {}, "", 12.0),
}
EXPECTED_SCORES = {kind: spec[3] for kind, spec in KINDS.items()}


def kind_of(number: int) -> str:
    return list(KINDS)[number % len(KINDS)]


# Kinds that any assignment has, for a class of another week: (base notebook, extra cell); all score 0.
ANY_WEEK_KINDS = {
    "blank": ("release", ""),
    "invalid_json": ("raw", ""),
    "monkeypatch_on_blank": ("release", MONKEYPATCH),
}


def notebook_text(kind: str, assignment: str = "week1") -> str:
    if assignment == "week1":
        base, replacements, extra, _ = KINDS[kind]
    else:
        (base, extra), replacements = ANY_WEEK_KINDS[kind], {}
    if base == "raw":
        return '{"cells": [ {"cell_type": "code"'
    source = paths.source_notebook(assignment) if base == "solution" else paths.released_notebook(assignment)
    notebook = nbformat.read(source, as_version=4)
    cells = []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
        cells.append(cell)
        if extra and (
            grade_id == "train_val_split" or (assignment != "week1" and grade_id == "setup_imports")
        ):
            cells.append(nbformat.v4.new_code_cell(extra))
    notebook.cells = cells
    return json.dumps(notebook)


def generate_class(folder: Path, count: int) -> dict[str, str]:
    """Write `count` student folders; return {student: kind}."""
    texts = {kind: notebook_text(kind) for kind in KINDS}
    students = {}
    for number in range(count):
        kind = kind_of(number)
        student = f"s{number:04d}_{kind}"
        target = folder / student
        target.mkdir(parents=True, exist_ok=True)
        name = "my notebook.ipynb" if kind == "renamed_correct" else paths.NOTEBOOK_NAME
        (target / name).write_text(texts[kind], encoding="utf-8")
        students[student] = kind
    return students


def generate_any_week_class(folder: Path, assignment: str, count: int) -> dict[str, str]:
    """Write `count` student folders of `assignment` with submissions that all earn 0; return {student: kind}."""
    texts = {kind: notebook_text(kind, assignment) for kind in ANY_WEEK_KINDS}
    students = {}
    for number in range(count):
        kind = list(ANY_WEEK_KINDS)[number % len(ANY_WEEK_KINDS)]
        student = f"s{number:04d}_{kind}"
        (folder / student).mkdir(parents=True, exist_ok=True)
        (folder / student / paths.NOTEBOOK_NAME).write_text(texts[kind], encoding="utf-8")
        students[student] = kind
    return students


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args(argv)
    students = generate_class(args.folder, args.count)
    print(f"wrote {len(students)} submissions to {args.folder}")


if __name__ == "__main__":
    main()
