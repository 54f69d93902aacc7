"""Record results in nbgrader's gradebook (SQLite) and export grades from it.

Only the main grading process writes here, one submission per transaction, so parallel
workers never contend for the database and a killed run leaves it consistent. Re-recording a
student replaces that student's scores: recording is idempotent.
"""

from __future__ import annotations

import csv
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from tscourse.checking.spec import Assignment

from .grading import Result

NOTEBOOK = "assignment"


def _put_environment_on_path():
    """nbgrader creates the database by running `alembic`; find it beside this Python."""
    scripts = os.path.dirname(sys.executable)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


@contextmanager
def open_gradebook(path: Path, assignment: Assignment):
    """The gradebook at `path`, with the assignment's tests registered as grade cells."""
    _put_environment_on_path()
    with Gradebook(f"sqlite:///{path}") as gradebook:
        gradebook.update_or_create_assignment(assignment.name)
        gradebook.update_or_create_notebook(NOTEBOOK, assignment.name)
        for test in assignment.tests:
            gradebook.update_or_create_grade_cell(
                test.grade_id, NOTEBOOK, assignment.name, max_score=float(test.points), cell_type="code"
            )
        yield gradebook


def record(gradebook, result: Result):
    """Store one submission's scores, replacing any earlier ones."""
    gradebook.update_or_create_student(result.student)
    try:
        gradebook.find_submission(result.assignment, result.student)
    except MissingEntry:
        with warnings.catch_warnings():
            # nbgrader 0.9's add_submission triggers SQLAlchemy 2.0 autoflush warnings; harmless.
            warnings.simplefilter("ignore", SAWarning)
            gradebook.add_submission(result.assignment, result.student)
    for test in result.tests:
        grade = gradebook.find_grade(test.name, NOTEBOOK, result.assignment, result.student)
        grade.auto_score = float(test.score)
        grade.manual_score = None
    gradebook.db.commit()


def export_csv(gradebook, assignment: Assignment, target: Path):
    """One row per student, one column per test, then the total and the maximum."""
    columns = [test.grade_id for test in assignment.tests]
    rows = []
    for submission in gradebook.find_assignment(assignment.name).submissions:
        student = submission.student.id
        scores = [
            gradebook.find_grade(column, NOTEBOOK, assignment.name, student).score for column in columns
        ]
        rows.append([student, *scores, sum(scores), assignment.max_score])
    rows.sort(key=lambda row: row[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *columns, "total", "max_score"])
        writer.writerows(rows)
    temporary.replace(target)
    return len(rows)
