"""Grading on a Dask cluster (LocalCluster, two worker processes): the thread pool's results, exactly once each."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, grade_class, sandbox_or_skip

from autograder import cluster

sys.path.insert(0, str(ROOT / "scripts"))
from generate_class import EXPECTED_SCORES, notebook_text  # noqa: E402

pytest.importorskip("distributed")

# Honest, broken and hostile Week 1 submissions; the costly ones come first so that the kill lands mid-task.
KINDS = ("print_flood", "correct", "monkeypatch_on_blank", "off_by_one_moving_average", "invalid_json")
SEED = 0


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster") / "class"
    for number, kind in enumerate(KINDS):
        (folder / f"s{number}_{kind}").mkdir(parents=True)
        (folder / f"s{number}_{kind}" / "assignment.ipynb").write_text(notebook_text(kind), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def thread_results(klass, tmp_path_factory):
    """The class graded by the thread pool (2 workers), as the reference: {student: result as JSON}."""
    sandbox_or_skip()
    out = tmp_path_factory.mktemp("threads")
    results, _ = grade_class("week1", klass, out, seed=SEED)
    return {r.student: comparable(r) for r in results}


@pytest.fixture(scope="module")
def runner():
    sandbox_or_skip()
    with cluster.DaskRunner("local:2") as started:
        yield started


def comparable(result):
    """Everything a result says except how long it took."""
    data = result.to_json()
    data.pop("seconds")
    return data


def recorded_once(out: Path, students):
    """Each student has one results file, one gradebook submission and one CSV row."""
    from nbgrader.api import Gradebook

    assert sorted(p.stem for p in (out / "week1" / "results").glob("*.json")) == sorted(students)
    with open(out / "week1" / "grades.csv", newline="") as handle:
        assert sorted(row["student"] for row in csv.DictReader(handle)) == sorted(students)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        submissions = gradebook.find_assignment("week1").submissions
        assert sorted(s.student.id for s in submissions) == sorted(students)


def grade_on(runner, klass, out, **options):
    """Grade the week-1 class with `runner` into `out`; (results, summary)."""
    return grade_class("week1", klass, out, seed=SEED, runner=runner, **options)


def test_a_mixed_class_gets_the_thread_pools_results(klass, thread_results, runner, tmp_path):
    results, summary = grade_on(runner, klass, tmp_path)
    assert summary.new == len(KINDS)
    assert {r.student: comparable(r) for r in results} == thread_results
    assert {r.student: r.score for r in results} == {
        f"s{n}_{kind}": EXPECTED_SCORES[kind] for n, kind in enumerate(KINDS)
    }
    assert len({pid for _, pid in runner.ran_on.values()}) == 2  # both worker processes graded
    recorded_once(tmp_path, thread_results)


def sandboxed_worker(runner, seconds=60.0):
    """(address, pid, the processes under it) of a worker process that is running a sandbox now."""
    import psutil

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for address, pid in runner.client.run(os.getpid).items():
            children = psutil.Process(pid).children(recursive=True)
            if any(child.name() == "bwrap" for child in children):
                return address, pid, children
        time.sleep(0.2)
    raise AssertionError("no worker ran a sandbox")


def test_killing_a_worker_mid_batch_loses_nothing_and_doubles_nothing(
    klass, thread_results, runner, tmp_path
):
    killed = {}

    def kill_a_grading_worker(result):
        if killed:
            return
        address, pid, children = sandboxed_worker(runner)
        keys = runner.client.processing(workers=[address])[address]
        os.kill(pid, signal.SIGKILL)
        killed.update(pid=pid, children=children, keys=keys)

    results, summary = grade_on(runner, klass, tmp_path, on_result=kill_a_grading_worker)
    assert killed and summary.new == len(KINDS)
    assert {r.student: comparable(r) for r in results} == thread_results
    recorded_once(tmp_path, thread_results)
    # The task that was running on the killed worker ran again on another worker process, and counted once.
    interrupted = [r.student for r in results if any(f"-{r.student}-" in key for key in killed["keys"])]
    assert interrupted and all(runner.ran_on[student][1] != killed["pid"] for student in interrupted)
    # Its sandbox died with it (bubblewrap's --die-with-parent, then the sandbox's PID namespace).
    assert [p.pid for p in killed["children"] if alive(p)] == []


def alive(process) -> bool:
    import psutil

    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_workers_refuse_another_course_version(klass, runner, tmp_path, monkeypatch):
    """A client whose released master differs from the workers' stops at the first task, having recorded nothing."""
    monkeypatch.setattr(cluster, "master_sha256", lambda assignment: "0" * 64)  # only this process's copy
    with pytest.raises(cluster.WorkerMismatch, match="same course version"):
        grade_class("week1", klass, tmp_path, seed=None, runner=runner)
    assert list((tmp_path / "week1" / "results").glob("*.json")) == []


@pytest.mark.parametrize("address", ["local:0", "local:two", "somewhere:8786"])
def test_a_bad_cluster_address_is_a_usage_error(address):
    with pytest.raises(cluster.ClusterError, match="expected"):
        cluster.parse_address(address)


def test_cli_grades_on_a_running_scheduler(runner, tmp_path):
    """`grade --cluster tcp://HOST:PORT` end to end, on the workers of the LocalCluster above."""
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "assignment.ipynb").write_text(notebook_text("invalid_json"))
    command = [
        sys.executable,
        "-m",
        "autograder",
        "grade",
        "week1",
        tmp_path / "class",
        "--out",
        tmp_path / "out",
    ]
    address = runner.client.scheduler.address
    assert address.startswith("tcp://")
    done = subprocess.run(
        [str(part) for part in command + ["--cluster", address, "--json"]], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert '"student": "alice"' in done.stdout and "1 new graded" in done.stderr
    refused = subprocess.run(
        [str(part) for part in command + ["--cluster", "nowhere"]], capture_output=True, text=True
    )
    assert refused.returncode == 2 and "expected local:N" in refused.stderr


def test_worker_processes_can_import_the_main_module():
    """`--cluster local:N` spawns workers that import `autograder.__main__` again: that must not run the CLI."""
    import importlib

    importlib.import_module("autograder.__main__")
