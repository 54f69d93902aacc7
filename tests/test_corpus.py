"""Grade the adversarial corpus as one class, in parallel, and check every outcome."""

from __future__ import annotations

import dataclasses
import json
import secrets
import shutil
import socket
from pathlib import Path

import nbformat
import pytest
from conftest import grade_class, sandbox_or_skip
from corpus.cases import ENTRIES, Entry

from autograder import assignments, paths

CORPUS_FILES = Path(__file__).parent / "corpus" / "files"
# Week 1's runaway entries (loops, a sleep, a fork bomb, a function that hangs wherever it is called) each run
# into a cell's time limit. Its class is graded with a third of the shipped limit for one cell; the other
# weeks' entries do not hang and keep their limits. The whole grading keeps its shipped limit: no entry is
# meant to reach it, and with a third of it (80 s) the function that hangs wherever it is called (stopped
# three times, in a locked cell and in two probes, each stop followed by a fresh start of the notebook) came
# within a busy machine's start-up times of it, so its score depended on which of the two limits fired first.
# The shipped total leaves it three times that room (the total itself is tested in tests/test_grader_truth.py,
# with hanging cells).
SHORTER_LIMITS = {"week1": 10.0}


def fill(code: str, context: dict) -> str:
    """Put the real paths into injected code ({ROOT}, {CLASS}, {OUT}, {PORT}, {TOKEN})."""
    for key, value in context.items():
        code = code.replace("{" + key + "}", str(value))
    return code


def build(entry: Entry, folder: Path, context: dict):
    """Write one student's folder for a corpus entry."""
    folder.mkdir(parents=True)
    if entry.base == "none":
        (folder / "README.txt").write_text("forgot to upload")
        return
    if entry.base == "file":
        shutil.copy(CORPUS_FILES / entry.file, folder / entry.filename)
        return
    source = paths.source_notebook if entry.base == "solution" else paths.released_notebook
    notebook = nbformat.read(source(entry.assignment), as_version=4)
    cells = []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in entry.cells:
            if entry.cells[grade_id] is None:
                continue  # the student deleted this cell
            cell.source = fill(entry.cells[grade_id], context)
        if grade_id in entry.append:
            cell.source += "\n" + fill(entry.append[grade_id], context)
        if "__all_ids__" in entry.cells:
            cell.id = "dup"
        cells.append(cell)
        if (
            entry.extra
            and cell.metadata.get("nbgrader", {}).get("solution")
            and not any(c.metadata.get("extra") for c in cells)
        ):
            extra = nbformat.v4.new_code_cell(fill(entry.extra, context))
            extra.metadata["extra"] = True
            cells.append(extra)
    notebook.cells = cells
    if entry.metadata_assignment:
        notebook.metadata["autograder"] = {"assignment": entry.metadata_assignment}
    (folder / entry.filename).write_text(json.dumps(notebook), encoding="utf-8")


def with_limits(assignment):
    """The assignment as the corpus grades it: with the shorter cell limit of SHORTER_LIMITS where it has one."""
    if assignment.name not in SHORTER_LIMITS:
        return assignment
    cell = SHORTER_LIMITS[assignment.name]
    assert cell < assignment.cell_seconds, "shorter than the shipped limit"
    return dataclasses.replace(assignment, cell_seconds=cell)


class CorpusRun:
    """Grades each assignment's part of the corpus once, as one class with 2 workers."""

    def __init__(self, base: Path):
        self.base = base
        self.token = secrets.token_hex(6)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.results: dict[str, dict] = {}

    def out(self, name):
        return self.base / name / "out"

    def klass(self, name):
        return self.base / name / "class"

    def grade(self, name):
        if name not in self.results:
            shutil.rmtree(self.base / name, ignore_errors=True)
            context = {
                "ROOT": paths.ROOT,
                "CLASS": self.klass(name),
                "OUT": self.out(name),
                "PORT": self.listener.getsockname()[1],
                "TOKEN": self.token,
            }
            for entry in ENTRIES:
                if entry.assignment == name:
                    build(entry, self.klass(name) / entry.name, context)
            results, _ = grade_class(with_limits(assignments.get(name)), self.klass(name), self.out(name))
            self.results[name] = {result.student: result for result in results}
        return self.results[name]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    sandbox_or_skip()
    run = CorpusRun(tmp_path_factory.mktemp("corpus"))
    yield run
    run.listener.close()


def test_corpus_is_large_and_spread_over_assignments():
    assert len(ENTRIES) >= 25
    assert {entry.assignment for entry in ENTRIES} == {"week1", "week2", "week3", "week4", "week5"}


@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_corpus_entry(corpus, entry):
    result = corpus.grade(entry.assignment)[entry.name]
    summary = json.dumps(result.to_json(), indent=1)
    notes = " ".join(result.notes)
    if entry.score is not None:
        assert result.score == entry.score, summary
    for expected in entry.notes:
        assert expected in notes, summary
    for test in result.tests:
        if test.name in entry.failed:
            assert test.score == 0 and test.message.startswith("Failed test case:"), summary
        if test.name in entry.messages:
            assert entry.messages[test.name] in test.message, summary
    assert len(result.tests) == len(assignments.get(entry.assignment).tests)


@pytest.mark.slow
def test_every_submission_has_exactly_one_result_and_grade_row(corpus):
    for name in sorted({entry.assignment for entry in ENTRIES}):
        corpus.grade(name)
        out = corpus.out(name)
        students = {entry.name for entry in ENTRIES if entry.assignment == name}
        assert {p.stem for p in (out / name / "results").glob("*.json")} == students
        rows = (out / name / "grades.csv").read_text().splitlines()[1:]
        assert sorted(row.split(",")[0] for row in rows) == sorted(students)


@pytest.mark.slow
def test_hostile_writes_did_not_land(corpus):
    corpus.grade("week1")
    candidates = [paths.ROOT / "PWNED.txt", Path(f"/tmp/PWNED-{corpus.token}.txt")]
    candidates += [corpus.out("week1") / "PWNED.txt", corpus.klass("week1") / "alice_reference" / "PWNED.txt"]
    assert not [str(path) for path in candidates if path.exists()]
