"""Release: solution source -> student copy, with None placeholders, reproducibly."""

import nbformat
import pytest

from autograder import assignments, paths, release
from tscourse.checking import record

AVAILABLE = assignments.available()


def test_placeholders_for_assignments():
    source = "\n".join(
        [
            "def f(x):",
            "    ### START CODE HERE",
            "    ### BEGIN SOLUTION",
            "    a = x + 1",
            "    b, c = a, 2",
            "    a += 1",
            "    print(a)",
            "    ### END SOLUTION",
            "    ### END CODE HERE",
            "    return a",
        ]
    )
    released = release.replace_solutions(source)
    assert released.splitlines() == [
        "def f(x):",
        "    ### START CODE HERE",
        "    a = None",
        "    b, c = None, None",
        "    ### END CODE HERE",
        "    return a",
    ]


def test_block_without_assignments_becomes_pass():
    source = "### BEGIN SOLUTION\nprint('hi')\n### END SOLUTION"
    assert release.replace_solutions(source) == "pass"


def test_unparsable_block_still_releases():
    assert release.replace_solutions("### BEGIN SOLUTION\nif x\n### END SOLUTION") == "pass"


@pytest.mark.parametrize("name", AVAILABLE)
def test_committed_student_copy_is_up_to_date(name):
    committed = paths.released_notebook(name).read_text(encoding="utf-8")
    assert committed == release.render(name), (
        f"notebooks/{name}/assignment.ipynb differs from what `python -m autograder release {name}` "
        "generates from solutions/; run it and commit the result"
    )


@pytest.mark.parametrize("name", AVAILABLE)
def test_recorded_expected_values_are_up_to_date(name):
    committed = record.path(name).read_text(encoding="utf-8")
    assert committed == release.render_expected(name), (
        f"tscourse/expected/{name}.json differs from what `python -m autograder release {name}` "
        "records with the reference code; run it and commit the result"
    )


@pytest.mark.parametrize("name", AVAILABLE)
def test_student_copy_hides_solutions_and_hidden_tests(name):
    text = paths.released_notebook(name).read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "hidden=True"):
        assert marker not in text
    notebook = nbformat.reads(text, as_version=4)
    assert notebook.metadata["autograder"]["assignment"] == name
    source = nbformat.read(paths.source_notebook(name), as_version=4)
    exercises = {
        cell.metadata["nbgrader"]["grade_id"]
        for cell in source.cells
        if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source
    }
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs
            if cell.metadata["nbgrader"]["grade_id"] in exercises:
                assert "### START CODE HERE" in cell.source and "### END CODE HERE" in cell.source


@pytest.mark.parametrize("name", AVAILABLE)
def test_every_code_cell_is_tracked_by_nbgrader(name):
    notebook = nbformat.read(paths.source_notebook(name), as_version=4)
    spec = assignments.get(name)
    test_ids = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        info = cell.metadata.get("nbgrader", {})
        assert info.get("grade_id"), f"a code cell of {name} has no nbgrader grade_id"
        if info.get("grade"):
            test_ids.add(info["grade_id"])
            assert float(info["points"]) == spec.test(info["grade_id"]).points
    assert test_ids == {test.grade_id for test in spec.tests}
