"""nbgrader's course directory: read `submitted/`, write what formgrader and `release_feedback` read.

An nbgrader course root holds `submitted/<student>/<assignment>/<notebook>.ipynb` (with
nbgrader's `timestamp.txt`). Grading it writes, beside `submitted/`:

    gradebook.db                                      nbgrader's gradebook (its default place)
    autograded/<student>/<assignment>/assignment.ipynb the graded notebook formgrader shows
    feedback/<student>/<assignment>/assignment.html   the student's page, where release_feedback looks
    graded/<assignment>/results/<student>.json        the grader's own records (resume, grades.csv)

The autograded notebook is the submission rebuilt as it was graded (the student's exercise and
added cells inside the released master copy, nbgrader's cell metadata kept), with each test
cell's outcome as its output: "Passed ..." printed, or an error with the failure messages, the
way nbgrader's own autograde leaves a test cell; nbgrader's `determine_grade` reads the same
scores from it as the grader recorded.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import gradebook, late, paths, report
from .results import Result
from .submission import SubmissionError, prepare

SUBMITTED, AUTOGRADED, FEEDBACK = "submitted", "autograded", "feedback"
RECORDS = "graded"
NOTEBOOK_ID = gradebook.NOTEBOOK  # the notebook's name in the gradebook, as nbgrader names it
COPIED_FILES = (late.TIMESTAMP_NAME, "submission_secret.txt")  # what release_feedback reads


def is_course_root(path: Path) -> bool:
    """A folder that holds nbgrader's `submitted/` folder."""
    return path.is_dir() and (path / SUBMITTED).is_dir()


def course_root_of(path: Path, assignment: str) -> Path | None:
    """The nbgrader course root `path` is, or holds as `submitted/<student>/<assignment>/<notebook>`."""
    if is_course_root(path):
        return path
    parents = path.parents
    if path.is_file() and len(parents) > 3 and parents[0].name == assignment and parents[2].name == SUBMITTED:
        return parents[3]
    return None


def submission_folders(root: Path, assignment: str, only: str | None = None) -> list[tuple[str, Path]]:
    """(student, submitted/<student>/<assignment>) for every student (or student `only`) who handed
    `assignment` in."""
    found = []
    for student in sorted((root / SUBMITTED).iterdir()):
        if only is not None and student.name != only:
            continue
        folder = student / assignment
        if not student.name.startswith(".") and folder.is_dir():
            found.append((student.name, folder))
    return found


@dataclass
class Layout:
    """Where a grading run writes: records (results, grades.csv, the lock), the gradebook, the
    feedback pages and, in an nbgrader course, the autograded notebooks."""

    records: Path
    gradebook: Path
    course_root: Path | None = None

    @classmethod
    def plain(cls, out: Path) -> Layout:
        return cls(out, out / "gradebook.db")

    @classmethod
    def nbgrader(cls, root: Path, records: Path | None = None) -> Layout:
        return cls(records or root / RECORDS, root / "gradebook.db", root)

    @property
    def feedback_root(self) -> Path:
        return (self.course_root or self.records) / FEEDBACK

    def feedback_path(self, result: Result) -> Path:
        if self.course_root is None:
            return self.feedback_root / result.student / f"{result.assignment}.html"
        return self.feedback_root / result.student / result.assignment / f"{NOTEBOOK_ID}.html"

    def autograded_path(self, result: Result) -> Path | None:
        if self.course_root is None:
            return None
        return self.course_root / AUTOGRADED / result.student / result.assignment / f"{NOTEBOOK_ID}.ipynb"

    def gradebook_timestamp(self, result: Result, time_source: str) -> str | None:
        """The submission time the gradebook gets. In an nbgrader course only `timestamp.txt`'s, as
        nbgrader's autograde stores it: formgrader counts a submission as autograded only when the
        two agree (a file's time is still used for the late penalty)."""
        if self.course_root is not None and time_source != late.TIMESTAMP_NAME:
            return None
        return result.submitted_at or None

    def missing(self, result: Result) -> bool:
        """Whether a stored result lacks any of the files this layout writes for it."""
        wanted = [self.feedback_path(result), self.autograded_path(result)]
        return any(path is not None and not path.is_file() for path in wanted)

    def write(self, result: Result, title: str, notebook: Path | None, folder: Path | None):
        """The feedback page and, in an nbgrader course, the autograded notebook and the files
        nbgrader keeps beside them (`timestamp.txt`, `submission_secret.txt`)."""
        page = self.feedback_path(result)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(report.feedback_html(result, title), encoding="utf-8")
        target = self.autograded_path(result)
        if target is None:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(autograded_notebook(result, notebook), target)
        for destination in (target.parent, page.parent):
            _copy_submission_files(result, folder, destination)


def _copy_submission_files(result: Result, folder: Path | None, destination: Path):
    for name in COPIED_FILES:
        source = folder / name if folder is not None else None
        if source is not None and source.is_file():
            shutil.copyfile(source, destination / name)
        elif name == late.TIMESTAMP_NAME and result.submitted_at:
            (destination / name).write_text(result.submitted_at + "\n", encoding="utf-8")


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _outcome_output(test) -> nbformat.NotebookNode:
    """A test cell's output as nbgrader's autograde would leave it: printed text when it passed,
    an error (which nbgrader scores as zero) when it failed."""
    if test.score >= test.max_score:
        return nbformat.v4.new_output("stream", name="stdout", text=f"{test.message}\n")
    return nbformat.v4.new_output(
        "error", ename="TestsFailed", evalue=test.message, traceback=[f"TestsFailed: {test.message}"]
    )


def _summary_cell(result: Result) -> nbformat.NotebookNode:
    lines = [f"**Autograder:** {result.score:g} / {result.max_score:g} points."]
    if result.late_note:
        lines.append(f"- {result.late_note}")
    lines += [f"- {note}" for note in result.notes]
    return nbformat.v4.new_markdown_cell("\n".join(lines), metadata={"autograder": {"summary": True}})


def autograded_notebook(result: Result, notebook: Path | None) -> nbformat.NotebookNode:
    """The released master notebook with the student's exercise and added cells where they were
    graded, and each test cell's outcome as its output."""
    master = nbformat.read(paths.released_notebook(result.assignment), as_version=4)
    prepared = None  # no notebook, or an unreadable one: the master copy, with every test's outcome
    if notebook is not None:
        try:
            prepared = prepare(notebook, paths.released_notebook(result.assignment), result.assignment)
        except SubmissionError:
            pass
    exercises = prepared.exercises if prepared else {}
    extras = prepared.extras if prepared else {}
    tests = {test.name: test for test in result.tests}
    cells = [_summary_cell(result)]
    cells += [nbformat.v4.new_code_cell(source) for source in extras.get(None, [])]
    for cell in master.cells:
        grade_id = _grade_id(cell)
        if cell.cell_type == "code":
            if grade_id in exercises:
                cell.source = exercises[grade_id]
            cell.outputs = [_outcome_output(tests[grade_id])] if grade_id in tests else []
        cells.append(cell)
        cells += (
            [nbformat.v4.new_code_cell(source) for source in extras.get(grade_id, [])] if grade_id else []
        )
    master.cells = cells
    return master
