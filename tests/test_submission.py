"""Reading and rebuilding submissions: only exercise code is taken from the student."""

import json

import nbformat
import pytest

from autograder import paths
from autograder.submission import SubmissionError, prepare, read_cells

MASTER = paths.released_notebook("week1")


def write(tmp_path, notebook, name="submission.ipynb"):
    target = tmp_path / name
    nbformat.write(notebook, target)
    return target


def master():
    return nbformat.read(MASTER, as_version=4)


def by_id(notebook, grade_id):
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"{not json", "not valid notebook JSON"),
        ('{"cells": "é"}'.encode("latin-1"), "not UTF-8"),
        (b'{"metadata": {}}', "not a Jupyter notebook"),
        (b"[1, 2, 3]", "not a Jupyter notebook"),
    ],
)
def test_malformed_files_are_rejected_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(SubmissionError, match=reason):
        read_cells(path)


def test_exercise_code_comes_from_student_and_tests_from_master(tmp_path):
    notebook = master()
    by_id(notebook, "naive_forecast").source = "def naive_forecast(series, split_time):\n    return 1"
    by_id(notebook, "use_naive").source = "print('student edited a locked cell')"
    by_id(notebook, "test_naive_forecast").source = "print('All tests passed.')"
    prepared = prepare(write(tmp_path, notebook), MASTER, "week1")
    sources = {cell.label: cell.source for cell in prepared.cells}
    assert sources["exercise cell `naive_forecast`"].endswith("return 1")
    assert sources["cell `use_naive`"] == by_id(master(), "use_naive").source
    assert not any("All tests passed" in source for source in sources.values())
    assert any("`test_naive_forecast` was edited" in note for note in prepared.notes)


def test_extra_cells_run_where_the_student_put_them(tmp_path):
    notebook = master()
    index = notebook.cells.index(by_id(notebook, "naive_forecast"))
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell("helper = 42"))
    prepared = prepare(write(tmp_path, notebook), MASTER, "week1")
    labels = [cell.label for cell in prepared.cells]
    extra = labels.index("your extra cell 1 after `naive_forecast`")
    assert labels[extra - 1] == "exercise cell `naive_forecast`"


def test_deleted_and_duplicated_cells(tmp_path):
    notebook = master()
    notebook.cells.remove(by_id(notebook, "seasonal_difference"))
    notebook.cells.remove(by_id(notebook, "test_seasonal_difference"))
    notebook.cells.append(nbformat.from_dict(json.loads(json.dumps(by_id(notebook, "naive_forecast")))))
    for cell in notebook.cells:
        cell.id = "same-id"  # duplicate cell ids must not matter
    path = tmp_path / "dup.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    prepared = prepare(path, MASTER, "week1")
    notes = " ".join(prepared.notes)
    assert "`seasonal_difference` is missing" in notes
    assert "`test_seasonal_difference` was deleted" in notes
    assert "`naive_forecast` appears more than once" in notes


def test_notebook_of_another_assignment_is_rejected(tmp_path):
    notebook = master()
    notebook.metadata["autograder"] = {"assignment": "week2"}
    with pytest.raises(SubmissionError, match="belongs to week2"):
        prepare(write(tmp_path, notebook), MASTER, "week1")


def test_notebook_without_any_exercise_cell_is_rejected(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    with pytest.raises(SubmissionError, match="none of week1's exercise cells"):
        prepare(write(tmp_path, notebook), MASTER, "week1")


# --- cells the student added are never lost ---------------------------------------------------


def add_after(notebook, index, source):
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(source))


def first_markdown_after_code(notebook):
    for index in range(1, len(notebook.cells)):
        if notebook.cells[index].cell_type == "markdown" and notebook.cells[index - 1].cell_type == "code":
            return index
    raise AssertionError("no markdown cell follows a code cell")


ADDED_AFTER = {
    "markdown": first_markdown_after_code,
    "setup": lambda notebook: notebook.cells.index(by_id(notebook, "use_split")),
    "exercise": lambda notebook: notebook.cells.index(by_id(notebook, "naive_forecast")),
    "test": lambda notebook: notebook.cells.index(by_id(notebook, "test_naive_forecast")),
}


@pytest.mark.parametrize("kind", ADDED_AFTER)
def test_an_added_cell_is_kept_in_place_whatever_precedes_it(tmp_path, kind):
    notebook = master()
    add_after(notebook, ADDED_AFTER[kind](notebook), "HELPER = 'added by the student'")
    prepared = prepare(write(tmp_path, notebook), MASTER, "week1")
    extras = [cell for cell in prepared.cells if cell.role == "extra"]
    assert [cell.source for cell in extras] == ["HELPER = 'added by the student'"]
    position = prepared.cells.index(extras[0])
    # It runs after every master cell that came before it in the student's notebook.
    kept_before = {c.label for c in prepared.cells[:position]}
    earlier_ids = []
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("HELPER"):
            break
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and not grade_id.startswith("test_"):
            earlier_ids.append(grade_id)
    assert all(any(f"`{grade_id}`" in label for label in kept_before) for grade_id in earlier_ids)
    assert not prepared.notes


def test_a_duplicated_exercise_cell_runs_as_the_students_own_code(tmp_path):
    notebook = master()
    index = notebook.cells.index(by_id(notebook, "naive_forecast"))
    copy = nbformat.from_dict(json.loads(json.dumps(notebook.cells[index])))
    copy.source = "def helper():\n    return 1"
    notebook.cells.insert(index + 1, copy)
    prepared = prepare(write(tmp_path, notebook), MASTER, "week1")
    assert any(cell.role == "extra" and "def helper" in cell.source for cell in prepared.cells)
    assert any("each later copy ran as your own cell" in note for note in prepared.notes)
