"""Read a student's notebook defensively and rebuild it against the released master copy.

Students' files arrive in every state: renamed, truncated, not JSON, not UTF-8, with cells
deleted, duplicated or edited. The grader trusts only the exercise cells' code from the
submission. Every other code cell (setup, tests) comes from the master copy, the way
nbgrader's OverwriteCells restores locked cells.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 20 * 2**20


class SubmissionError(Exception):
    """The submission cannot be graded at all; the message says why, for the student."""


@dataclass
class GradingCell:
    index: int  # position in the notebook the grader runs
    label: str  # how messages name the cell
    role: str  # "exercise", "setup", "extra"
    source: str


@dataclass
class Prepared:
    cells: list[GradingCell]
    notes: list[str] = field(default_factory=list)
    exercises: dict[str, str] = field(default_factory=dict)  # grade_id -> student's code
    extras: dict[str | None, list[str]] = field(default_factory=dict)  # added cells, by the cell before


def _source(cell) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        if not all(isinstance(part, str) for part in source):
            raise SubmissionError("a cell's source is not text")
        return "".join(source)
    if not isinstance(source, str):
        raise SubmissionError("a cell's source is not text")
    return source


def _grading_info(cell) -> dict:
    metadata = cell.get("metadata")
    info = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return info if isinstance(info, dict) else {}


def read_cells(path: Path) -> tuple[list[dict], dict]:
    """The notebook's cells and metadata, or SubmissionError with a clear reason."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SubmissionError(f"the file could not be read ({exc.strerror})") from exc
    if size == 0:
        raise SubmissionError("the notebook file is empty")
    if size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"the notebook is {size / 2**20:.0f} MB, over the 20 MB limit")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise SubmissionError("the file is binary, not a notebook (.ipynb is JSON text)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"the file is not UTF-8 text (bad byte at position {exc.start})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(
            f"the file is not valid notebook JSON ({exc.msg} at line {exc.lineno})"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise SubmissionError("the file is JSON but not a Jupyter notebook (no list of cells)")
    cells = [cell for cell in data["cells"] if isinstance(cell, dict)]
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    return cells, metadata


def prepare(path: Path, master_path: Path, assignment: str) -> Prepared:
    """The code the grader will run: the student's exercise cells inside the master notebook."""
    cells, metadata = read_cells(path)
    master_cells, _ = read_cells(master_path)
    tag = metadata.get("autograder")
    claimed = tag.get("assignment") if isinstance(tag, dict) else None
    if claimed not in (None, assignment):
        raise SubmissionError(f"this notebook belongs to {claimed}, not {assignment}")

    master_code = [c for c in master_cells if c.get("cell_type") == "code"]
    master_ids = {_grading_info(c).get("grade_id") for c in master_code} - {None}
    test_ids = {
        _grading_info(c).get("grade_id")
        for c in master_code
        if _grading_info(c).get("grade") and not _grading_info(c).get("solution")
    }
    exercise_ids = [_grading_info(c)["grade_id"] for c in master_code if _grading_info(c).get("solution")]
    prepared = Prepared(cells=[])
    extras_after = prepared.extras
    anchor = None
    seen: set[str] = set()
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = _source(cell)
        grade_id = _grading_info(cell).get("grade_id")
        if grade_id in master_ids and grade_id not in seen:
            seen.add(grade_id)
            anchor = grade_id
            if grade_id in exercise_ids:
                prepared.exercises[grade_id] = source
            continue
        if grade_id in test_ids:
            prepared.notes.append(
                f"Test cell `{grade_id}` appears more than once; the grader ran its own copy."
            )
            continue
        if grade_id in master_ids:
            prepared.notes.append(
                f"Cell `{grade_id}` appears more than once; the first copy was used in its place and "
                "each later copy ran as your own cell where you put it."
            )
        if source.strip():
            extras_after.setdefault(anchor, []).append(source)

    if not set(exercise_ids) & seen:
        raise SubmissionError(
            f"none of {assignment}'s exercise cells are in this notebook "
            "(is it the notebook of another assignment, or were the cells re-created?)"
        )

    def add(label, role, source):
        prepared.cells.append(GradingCell(len(prepared.cells), label, role, source))

    # Every cell the student added runs where it was, after the master cell it followed,
    # whatever that cell is (a test cell is judged outside, but what follows it still runs).
    for number, source in enumerate(extras_after.get(None, []), 1):
        add(f"your extra cell {number} at the top", "extra", source)
    for cell in master_code:
        info = _grading_info(cell)
        grade_id = info.get("grade_id")
        if grade_id in test_ids:
            _note_test_changes(prepared, cell, cells)
        elif info.get("solution"):
            if grade_id not in prepared.exercises:
                prepared.notes.append(
                    f"Exercise cell `{grade_id}` is missing from the notebook; it was graded as unanswered."
                )
            add(f"exercise cell `{grade_id}`", "exercise", prepared.exercises.get(grade_id, _source(cell)))
        else:
            if grade_id is not None and grade_id not in seen:
                prepared.notes.append(f"Cell `{grade_id}` was deleted; the original was used.")
            add(f"cell `{grade_id}`", "setup", _source(cell))
        for number, source in enumerate(extras_after.get(grade_id, []), 1):
            add(f"your extra cell {number} after `{grade_id}`", "extra", source)
    return prepared


def _without_hidden(source: str) -> str:
    """A test cell's code without nbgrader's hidden-test block (absent from released copies)."""
    kept, hidden = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == "### BEGIN HIDDEN TESTS":
            hidden = True
        elif marker == "### END HIDDEN TESTS":
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept).strip()


def _note_test_changes(prepared, master_cell, cells):
    grade_id = _grading_info(master_cell).get("grade_id")
    copies = [c for c in cells if _grading_info(c).get("grade_id") == grade_id]
    if not copies:
        prepared.notes.append(f"Test cell `{grade_id}` was deleted; the grader ran its own copy.")
    elif _without_hidden(_source(copies[0])) != _without_hidden(_source(master_cell)):
        prepared.notes.append(f"Test cell `{grade_id}` was edited; the grader ran its own copy.")
