"""Load test: a large generated class graded with 2 workers, every submission exactly once."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import pytest
from conftest import ROOT, grade_class, sandbox_or_skip

from autograder import assignments, batch

sys.path.insert(0, str(ROOT / "scripts"))
from generate_class import EXPECTED_SCORES, generate_any_week_class, generate_class  # noqa: E402

# 100 submissions keep both workers busy for the whole run (every kind of the generated class many times over);
# LOAD_TEST_SUBMISSIONS=200 or more for a longer soak.
COUNT = int(os.environ.get("LOAD_TEST_SUBMISSIONS", "100"))


@pytest.mark.slow
def test_a_large_mixed_class_is_graded_exactly_once(tmp_path: Path):
    sandbox_or_skip()
    students = generate_class(tmp_path / "class", COUNT)
    spec = assignments.get("week1")
    submissions = batch.discover(tmp_path / "class", "week1")
    out = tmp_path / "out"
    results, summary = grade_class(spec, submissions, out, seed=None)
    assert (summary.new, summary.changed, summary.unchanged) == (COUNT, 0, 0) and len(results) == COUNT
    assert sorted(r.student for r in results) == sorted(students)
    wrong = {r.student: r.score for r in results if r.score != EXPECTED_SCORES[students[r.student]]}
    assert not wrong
    assert len(list((out / "week1" / "results").glob("*.json"))) == COUNT
    with open(out / "week1" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["student"] for row in rows) == sorted(students)


@pytest.mark.slow
def test_a_week5_class_is_graded_exactly_once():
    """Week 5 in the load test: blank, broken and hostile notebooks, 2 workers, one result each.

    (The reference's own full marks are tested in tests/test_grading.py; here the point is that a
    class of the newest week goes through the batch machinery exactly once per student.)
    """
    sandbox_or_skip()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        students = generate_any_week_class(Path(tmp) / "class", "week5", 6)
        submissions = batch.discover(Path(tmp) / "class", "week5")
        results, summary = grade_class("week5", submissions, Path(tmp) / "out", seed=None)
        assert summary.new == 6 and sorted(r.student for r in results) == sorted(students)
        assert all(r.score == 0 for r in results)
        with open(Path(tmp) / "out" / "week5" / "grades.csv", newline="") as handle:
            assert sorted(row["student"] for row in csv.DictReader(handle)) == sorted(students)
