"""Record results in nbgrader's gradebook (SQLite) and export grades from it.

Only the main grading process writes here, one submission per transaction, so parallel
workers never contend for the database and a killed run leaves it consistent. Recording is
idempotent and keeps what an instructor added in formgrader: a re-grade replaces the automatic
scores (`auto_score`) and the late penalty, never the manual scores or the comments. Entries
are the ones nbgrader's own `autograde` makes: grade cells for the tests, solution cells (for
comments) for the exercises, the submission's timestamp and extension, the assignment's due date
and the notebook's `late_submission_penalty`, so formgrader and `nbgrader export` read them as theirs
(nbgrader's lateness, `SubmittedAssignment.total_seconds_late`, counts from the due date plus the
extension, as the grader does).
"""

from __future__ import annotations

import csv
import os
import sys
import warnings
from contextlib import contextmanager
from datetime import UTC, timedelta
from pathlib import Path

from nbgrader.api import Comment, Gradebook, MissingEntry
from nbgrader.utils import parse_utc
from sqlalchemy.exc import SAWarning

from tscourse.checking.spec import Assignment

from . import late, paths
from .results import Result
from .submission import read_cells

NOTEBOOK = "assignment"


def _put_environment_on_path():
    """nbgrader creates the database by running `alembic`; find it beside this Python."""
    scripts = os.path.dirname(sys.executable)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def exercise_ids(assignment: str) -> list[str]:
    """The grade ids of the released notebook's exercise (solution) cells."""
    cells, _ = read_cells(paths.released_notebook(assignment))
    ids = [(c.get("metadata") or {}).get("nbgrader", {}) for c in cells if c.get("cell_type") == "code"]
    return [info["grade_id"] for info in ids if info.get("solution") and info.get("grade_id")]


@contextmanager
def open_gradebook(path: Path, assignment: Assignment, due=None):
    """The gradebook at `path`, with the assignment's tests registered as grade cells, its
    exercises as solution cells and, when given, its due date (an aware datetime)."""
    _put_environment_on_path()
    with Gradebook(f"sqlite:///{path}") as gradebook:
        extra = {"duedate": parse_utc(due)} if due is not None else {}
        gradebook.update_or_create_assignment(assignment.name, **extra)
        gradebook.update_or_create_notebook(NOTEBOOK, assignment.name)
        for test in assignment.tests:
            gradebook.update_or_create_grade_cell(
                test.grade_id, NOTEBOOK, assignment.name, max_score=float(test.points), cell_type="code"
            )
        for grade_id in exercise_ids(assignment.name):
            gradebook.update_or_create_solution_cell(grade_id, NOTEBOOK, assignment.name)
        yield gradebook


def record(gradebook, result: Result, timestamp: str | None = None, extension: timedelta | None = None):
    """Store one submission's automatic scores, time (`timestamp`, nbgrader's format, or none),
    extension (none or zero: none) and late penalty; keep manual scores and comments."""
    gradebook.update_or_create_student(result.student)
    try:
        submission = gradebook.find_submission(result.assignment, result.student)
    except MissingEntry:
        with warnings.catch_warnings():
            # nbgrader 0.9's add_submission triggers SQLAlchemy 2.0 autoflush warnings; harmless.
            warnings.simplefilter("ignore", SAWarning)
            submission = gradebook.add_submission(result.assignment, result.student)
    submission.timestamp = parse_utc(timestamp) if timestamp else None
    submission.extension = extension or None
    notebook = gradebook.find_submission_notebook(NOTEBOOK, result.assignment, result.student)
    _add_missing_comments(notebook)
    for test in result.tests:
        grade = gradebook.find_grade(test.name, NOTEBOOK, result.assignment, result.student)
        grade.auto_score = float(test.score)
        # as nbgrader's autograde does: a manual score stays, and is flagged for another look
        grade.needs_manual_grade = grade.manual_score is not None
    notebook.late_submission_penalty = float(result.late_penalty) if result.late_penalty else None
    gradebook.db.commit()


def _add_missing_comments(notebook):
    """Comment rows for solution cells registered after the submission was created."""
    have = {comment.cell_id for comment in notebook.comments}
    for cell in notebook.notebook.solution_cells:
        if cell.id not in have:
            Comment(cell_id=cell.id, notebook=notebook)


def _utc(moment) -> str:
    """A time from the gradebook (naive, in UTC) as the grader writes times."""
    return late.format_utc(moment.replace(tzinfo=UTC)) if moment is not None else ""


def _times(submission, result: Result | None) -> list[str]:
    """When the submission was handed in, its due date (with any extension) and the extension: the
    grader's result's where there is one, else the gradebook's."""
    if result is not None:
        return [result.submitted_at, result.due_at, result.extension]
    extension = submission.extension
    return [
        _utc(submission.timestamp),
        _utc(submission.duedate),
        late.duration(extension.total_seconds()) if extension else "",
    ]


def export_csv(gradebook, assignment: Assignment, target: Path, results: dict[str, Result] | None = None):
    """One row per student, one column per test (manual scores where an instructor gave one),
    then the late penalty, the total after it, the maximum, the submission time, the due date with
    any extension and the extension (from `results`, by student, else the gradebook's)."""
    columns = [test.grade_id for test in assignment.tests]
    rows = []
    for submission in gradebook.find_assignment(assignment.name).submissions:
        student = submission.student.id
        scores = [
            gradebook.find_grade(column, NOTEBOOK, assignment.name, student).score for column in columns
        ]
        penalty = sum(float(nb.late_submission_penalty or 0.0) for nb in submission.notebooks)
        total = max(0.0, sum(scores) - penalty)
        times = _times(submission, (results or {}).get(student))
        rows.append([student, *scores, penalty, total, assignment.max_score, *times])
    rows.sort(key=lambda row: row[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = [
            "student",
            *columns,
            "late_penalty",
            "total",
            "max_score",
            "submitted_at",
            "due_at",
            "extension",
        ]
        writer.writerow(header)
        writer.writerows(rows)
    temporary.replace(target)
    return len(rows)
