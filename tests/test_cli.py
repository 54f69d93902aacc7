"""The command line as instructors and students use it."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, released_copy, sandbox_or_skip, solution_with

from autograder import assignments, paths
from tscourse.checking import record


def cli(*args, check=False, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=check,
    )


def make_class(tmp_path, count):
    """A class folder: reference, blank and off-by-one submissions in turn."""
    klass = tmp_path / "class"
    broken = "def naive_forecast(series, split_time):\n    return series[split_time:]"
    for number in range(count):
        folder = klass / f"student{number:03d}"
        folder.mkdir(parents=True)
        kind = number % 3
        if kind == 0:
            source = paths.source_notebook("week1").read_bytes()
        elif kind == 1:
            source = paths.released_notebook("week1").read_bytes()
        else:
            source = solution_with("week1", tmp_path, {"naive_forecast": broken}).read_bytes()
        (folder / "assignment.ipynb").write_bytes(source)
    return klass


def test_unknown_assignment_and_missing_path_exit_non_zero(tmp_path):
    result = cli("grade", "week9", tmp_path)
    assert result.returncode == 2 and "unknown assignment 'week9'" in result.stderr
    result = cli("grade", "week1", tmp_path / "nowhere")
    assert result.returncode == 2 and "no such file or folder" in result.stderr


def test_check_exit_status_follows_the_visible_tests(tmp_path):
    good = cli("check", "week1", paths.source_notebook("week1"))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "All visible tests passed" in good.stdout
    blank = cli("check", "week1", released_copy("week1", tmp_path))
    assert blank.returncode == 1
    assert "Failed test case: naive_forecast on 1461 steps split at 1100." in blank.stdout


def released_files():
    """The released notebooks and the recorded visible cases, byte for byte."""
    files = [paths.released_notebook(name) for name in assignments.available()]
    return {
        path: path.read_bytes() for path in files + [record.path(name) for name in assignments.available()]
    }


def test_release_reproduces_the_committed_notebooks():
    before = released_files()
    result = cli("release")
    assert result.returncode == 0, result.stderr
    assert released_files() == before


@pytest.mark.slow
def test_grade_folder_json_csv_feedback_and_resume(tmp_path):
    sandbox_or_skip()
    klass, out = make_class(tmp_path, 3), tmp_path / "out"
    first = cli("grade", "week1", klass, "--json", "--out", out, "--workers", 2, "--seed", 1)
    assert first.returncode == 0, first.stderr
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert [line["student"] for line in lines] == ["student000", "student001", "student002"]
    assert [line["score"] for line in lines] == [12.0, 0.0, 11.0]
    for line in lines:
        assert {"student", "assignment", "score", "max_score", "tests"} <= set(line)
        for test in line["tests"]:
            assert set(test) == {"name", "score", "max_score", "message"}

    with open(out / "week1" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student"] for row in rows] == ["student000", "student001", "student002"]
    assert rows[2]["test_naive_forecast"] == "0.0" and rows[2]["total"] == "11.0"

    page = (out / "feedback" / "student002" / "week1.html").read_text()
    assert "Failed test case: naive_forecast" in page and "11 / 12" in page
    for secret in ("run_tests", "hidden=True", "BEGIN HIDDEN", "def ref_"):
        assert secret not in page

    again = cli("grade", "week1", klass, "--out", out)
    assert "0 new graded; 3 unchanged skipped" in again.stdout
    forced = cli("grade", "week1", klass, "--out", out, "--force", "--workers", 2)
    assert forced.returncode == 0 and "3 changed since the last run graded again" in forced.stdout


@pytest.mark.slow
def test_kill_minus_nine_then_rerun_loses_and_doubles_nothing(tmp_path):
    sandbox_or_skip()
    count = 12
    klass, out = make_class(tmp_path, count), tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "week1",
            klass,
            "--out",
            out,
            "--workers",
            "2",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    results = out / "week1" / "results"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(results.glob("*.json"))) < 3:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished_before = len(list(results.glob("*.json")))
    assert 3 <= finished_before < count

    rerun = cli("grade", "week1", klass, "--out", out, "--workers", 2, "--json")
    assert rerun.returncode == 0, rerun.stderr
    lines = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert sorted(line["student"] for line in lines) == [f"student{n:03d}" for n in range(count)]
    assert sorted(p.stem for p in results.glob("*.json")) == [f"student{n:03d}" for n in range(count)]
    with open(out / "week1" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["student"] for row in rows) == [f"student{n:03d}" for n in range(count)]
    expected = {0: 12.0, 1: 0.0, 2: 11.0}
    for row in rows:
        assert float(row["total"]) == expected[int(row["student"][-3:]) % 3]

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        submissions = gradebook.find_assignment("week1").submissions
        assert sorted(s.student.id for s in submissions) == [f"student{n:03d}" for n in range(count)]
