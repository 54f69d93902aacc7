"""Results: one submission's graded tests and notes, and where a class's results are kept.

A `Result` is what grading one submission produces (`grading`), what the late policy adjusts
(`late`), what the gradebook, grades.csv and the feedback page are made from (`gradebook`,
`report`, `nbgrader_course`), and what a cluster worker sends back (`cluster`). `ResultStore` keeps
one JSON file per student, written atomically: the record a re-run resumes from (`batch`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tscourse.checking.spec import Assignment


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    message: str
    measurements: dict = field(default_factory=dict)


@dataclass
class Result:
    student: str
    assignment: str
    score: float
    max_score: float
    tests: list[TestResult]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    submission_sha256: str = ""  # what was graded; a re-run grades again when it differs
    # set by late.apply after grading: the score above is then the tests' points less late_penalty
    submitted_at: str = ""
    due_at: str = ""  # the assignment's due date plus the student's extension, if any
    extension: str = ""  # the student's extension, e.g. "2 d"; empty when none
    seconds_late: float = 0.0
    late_penalty: float = 0.0
    late_note: str = ""

    @property
    def raw_score(self) -> float:
        """The tests' points before any late penalty."""
        return float(sum(test.score for test in self.tests))

    def to_json(self):
        return asdict(self)

    @classmethod
    def from_json(cls, data):
        tests = [TestResult(**test) for test in data["tests"]]
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{**{k: v for k, v in data.items() if k in known}, "tests": tests})


def zero_result(assignment: Assignment, student: str, reason: str) -> Result:
    """Every test at zero, with the reason repeated where each test's message goes."""
    tests = [TestResult(t.grade_id, 0.0, float(t.points), f"Not graded: {reason}.") for t in assignment.tests]
    return Result(student, assignment.name, 0.0, assignment.max_score, tests, [f"Not graded: {reason}."])


class ResultStore:
    """Results on disk, one JSON file per student, written atomically."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, student):
        return self.folder / f"{student}.json"

    def has(self, student):
        return self.path(student).is_file()

    def fingerprint(self, student) -> str | None:
        """The fingerprint of the submission a stored result was graded from, if any."""
        try:
            return self.load(student).submission_sha256 or None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, result: Result):
        target = self.path(result.student)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(result.to_json()), encoding="utf-8")
        os.replace(temporary, target)

    def load(self, student) -> Result:
        return Result.from_json(json.loads(self.path(student).read_text(encoding="utf-8")))

    def all(self):
        for path in sorted(self.folder.glob("*.json")):
            yield self.load(path.stem)
