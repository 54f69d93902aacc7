"""Grade a class: find the submissions, grade them in parallel, resume after any stop.

Layout of the output folder OUT:

    OUT/gradebook.db                          nbgrader's gradebook, every assignment
    OUT/<assignment>/results/<student>.json   one result per submission (the resume record)
    OUT/<assignment>/grades.csv               one row per student, one column per test
    OUT/feedback/<student>/<assignment>.html  the page handed back to the student

Every finished submission is written at once, atomically, to its results file; only then is
it recorded in the gradebook and given its feedback page. A re-run skips students that
already have a result (unless forced), and first re-records every stored result, so a run
killed at any moment (even with SIGKILL) loses nothing and doubles nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import gradebook as gradebook_module
from . import paths, report
from .grading import Grader, Result, zero_result
from .spec import Assignment
from .submission import SubmissionError, read_cells


class BatchBusy(RuntimeError):
    """Another grading run holds the output folder."""


@dataclass
class Submission:
    student: str
    notebook: Path | None
    note: str = ""


def safe_name(name: str) -> str:
    """A student id that is safe as a file name (kept readable)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip("._") or "student"
    return cleaned[:100]


def _claims(path: Path, assignment: str) -> bool:
    try:
        _, metadata = read_cells(path)
    except SubmissionError:
        return False
    tag = metadata.get("autograder")
    return isinstance(tag, dict) and tag.get("assignment") == assignment


def pick_notebook(folder: Path, assignment: str) -> tuple[Path | None, str]:
    """The notebook to grade in a student's folder, and a note when it is not the usual one."""
    candidates = sorted(
        p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file()
    )
    if not candidates:
        return None, f"no notebook (.ipynb) found in the folder {folder.name}"
    for path in candidates:
        if path.name == paths.NOTEBOOK_NAME:
            return path, ""
    claimed = [p for p in candidates if _claims(p, assignment)] or candidates
    chosen = claimed[0]
    return chosen, f"Graded {chosen.name}: the notebook was expected to be named {paths.NOTEBOOK_NAME}."


def discover(path: Path, assignment: str) -> list[Submission]:
    """One notebook, or a folder holding one folder (or one .ipynb) per student."""
    if path.is_file():
        student = path.parent.name if path.name == paths.NOTEBOOK_NAME else path.stem
        return [Submission(safe_name(student), path)]
    submissions, seen = [], set()
    for entry in sorted(path.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            notebook, note = pick_notebook(entry, assignment)
            submission = Submission(safe_name(entry.name), notebook, note)
        elif entry.suffix == ".ipynb":
            submission = Submission(safe_name(entry.stem), entry)
        else:
            continue
        while submission.student in seen:
            submission.student += "_"
        seen.add(submission.student)
        submissions.append(submission)
    return submissions


class ResultStore:
    """Results on disk, one JSON file per student, written atomically."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, student):
        return self.folder / f"{student}.json"

    def has(self, student):
        return self.path(student).is_file()

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


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total, enabled=True):
        self.total, self.done, self.enabled = total, 0, enabled and total > 0

    def step(self, label=""):
        self.done += 1
        if not self.enabled:
            return
        filled = int(30 * self.done / self.total)
        bar = "#" * filled + "-" * (30 - filled)
        end = "\n" if self.done == self.total else ""
        sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} graded {label[:30]:<30}{end}")
        sys.stderr.flush()


def grade_all(
    assignment: Assignment,
    submissions: list[Submission],
    out: Path,
    workers: int,
    force: bool = False,
    seed: int | None = None,
    show_progress: bool = True,
    on_result=None,
):
    """Grade what is not graded yet; return every submission's result, in input order."""
    out.mkdir(parents=True, exist_ok=True)
    store = ResultStore(out / assignment.name / "results")
    lock = open(out / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BatchBusy(f"another grading run is using {out}; wait for it or choose another --out") from None
    work_root = out / assignment.name / "work"
    shutil.rmtree(work_root, ignore_errors=True)  # leftovers of a run that was killed
    work_root.mkdir(parents=True, exist_ok=True)
    pending = [s for s in submissions if force or not store.has(s.student)]
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(workers):
        slots.put(slot)

    def grade_one(submission: Submission) -> Result:
        slot = slots.get()
        try:
            if submission.notebook is None:
                return zero_result(assignment, submission.student, submission.note)
            result = Grader(assignment, work_root, slot=slot, seed=seed).grade(
                submission.notebook, submission.student
            )
            if submission.note:
                result.notes.insert(0, submission.note)
            return result
        except Exception as exc:  # the grader's own failure must not sink the batch
            return zero_result(assignment, submission.student, f"internal grader error ({exc!r})")
        finally:
            slots.put(slot)

    with gradebook_module.open_gradebook(out / "gradebook.db", assignment) as book:
        for stored in store.all():  # re-record what an interrupted run finished
            gradebook_module.record(book, stored)
        progress = Progress(len(pending), show_progress)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(grade_one, s): s for s in pending}
            for future in as_completed(futures):
                result = future.result()
                store.save(result)
                gradebook_module.record(book, result)
                report.write_feedback(result, assignment.title, out)
                progress.step(result.student)
                if on_result is not None:
                    on_result(result)
        gradebook_module.export_csv(book, assignment, out / assignment.name / "grades.csv")
    shutil.rmtree(work_root, ignore_errors=True)
    lock.close()
    return [store.load(s.student) for s in submissions], len(submissions) - len(pending)
