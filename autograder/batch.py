"""Grade a class: find the submissions, grade them in parallel, resume after any stop.

Layout of the output folder OUT:

    OUT/gradebook.db                          nbgrader's gradebook, every assignment
    OUT/<assignment>/results/<student>.json   one result per submission (the resume record)
    OUT/<assignment>/grades.csv               one row per student, one column per test
    OUT/feedback/<student>/<assignment>.html  the page handed back to the student

An nbgrader course root (a folder holding `submitted/`) is graded in nbgrader's layout instead:
see `nbgrader_course`. Due dates and the late policy (`late`) are applied to every result after
grading, on every run, so a penalty is never stale.

Every finished submission is written at once, atomically, to its results file; only then is
it recorded in the gradebook and given its feedback page. A re-run skips students that
already have a result (unless forced), and first re-records every stored result, so a run
killed at any moment (even with SIGKILL) loses nothing and doubles nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tscourse.checking.spec import Assignment

from . import assignments, late, nbgrader_course, paths
from . import gradebook as gradebook_module
from .grading import Grader, Result, zero_result
from .submission import SubmissionError, read_cells


class BatchBusy(RuntimeError):
    """Another grading run holds the output folder."""


@dataclass
class Submission:
    student: str
    notebook: Path | None
    note: str = ""
    folder: Path | None = None  # the submission's own folder (its timestamp.txt), if it has one
    submitted_at: datetime | None = None
    time_source: str = ""

    def __post_init__(self):
        if self.submitted_at is None:
            self.submitted_at, self.time_source = late.submission_time(self.notebook, self.folder)

    def fingerprint(self, master: bytes = b"") -> str:
        """sha256 of what is graded: the notebook's bytes (or the reason there is none), with the
        released master copy it is graded against, so a re-release grades everyone again."""
        digest = hashlib.sha256(hashlib.sha256(master).digest())
        if self.notebook is None:
            digest.update(b"no notebook\0" + self.note.encode())
        else:
            try:
                digest.update(self.notebook.read_bytes())
            except OSError as exc:
                digest.update(f"unreadable\0{exc}".encode())
        return digest.hexdigest()


@dataclass
class Summary:
    """What a grading run did with each submission."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def line(self) -> str:
        parts = [f"{self.new} new graded"]
        if self.changed:
            parts.append(f"{self.changed} changed since the last run graded again")
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged skipped (use --force to grade them again)")
        return "Submissions: " + "; ".join(parts) + "."


def safe_name(name: str) -> str:
    """A student id that is safe as a file name (kept readable)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip("._") or "student"
    return cleaned[:100]


def _claimed_assignment(path: Path) -> str | None:
    """The assignment a notebook's metadata names, or None (unreadable or unmarked)."""
    try:
        _, metadata = read_cells(path)
    except SubmissionError:
        return None
    tag = metadata.get("autograder")
    claimed = tag.get("assignment") if isinstance(tag, dict) else None
    return claimed if isinstance(claimed, str) else None


def _fit(path: Path, folder: Path, assignment: str) -> tuple[int, str]:
    """How well a notebook fits an assignment (0 = not at all) and why, for the note."""
    claimed = _claimed_assignment(path)
    folders = path.relative_to(folder).parts[:-1]
    other_folders = [part for part in folders if part in assignments.NAMES and part != assignment]
    if claimed == assignment:
        return 3, f"it is marked as {assignment}'s notebook"
    if claimed is not None:
        return 0, f"it is marked as {claimed}'s notebook"
    if assignment in folders:
        return 2, f"it is in a folder named {assignment}"
    if other_folders:
        return 0, f"it is in a folder named {other_folders[-1]}"
    return 1, "it is the only unmarked notebook outside other assignments' folders"


def pick_notebook(folder: Path, assignment: str) -> tuple[Path | None, str]:
    """The notebook of `assignment` in a student's folder, and a note on how it was chosen.

    A notebook is chosen by the assignment it belongs to (its metadata, then its folder's
    name), never by its file name alone; among equals the usual name, then the shallowest
    path, then the newest file wins, and the note says which was taken and why.
    """
    candidates = sorted(
        p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file()
    )
    if not candidates:
        return None, f"no notebook (.ipynb) found in the folder {folder.name}"
    fits = {path: _fit(path, folder, assignment) for path in candidates}
    best = max(level for level, _ in fits.values())
    if best == 0:
        found = "; ".join(f"{p.relative_to(folder)} ({why})" for p, (_, why) in fits.items())
        return None, f"no notebook of {assignment} found in the folder {folder.name}: {found[:400]}"
    tied = [p for p in candidates if fits[p][0] == best]
    chosen = min(
        tied, key=lambda p: (p.name != paths.NOTEBOOK_NAME, len(p.parts), -p.stat().st_mtime, str(p))
    )
    shown = chosen.relative_to(folder)
    notes = []
    if len(tied) > 1:
        others = ", ".join(str(p.relative_to(folder)) for p in tied if p != chosen)
        notes.append(
            f"Graded {shown}: {len(tied)} notebooks fit {assignment} equally ({fits[chosen][1]}); "
            f"not graded: {others[:300]}. Among equals the grader takes the name {paths.NOTEBOOK_NAME}, "
            "then the shallowest folder, then the newest file."
        )
    elif len(candidates) > 1:
        notes.append(f"Graded {shown} because {fits[chosen][1]}.")
    if chosen.name != paths.NOTEBOOK_NAME:
        notes.append(f"Graded {chosen.name}: the notebook was expected to be named {paths.NOTEBOOK_NAME}.")
    return chosen, " ".join(notes)


def discover(path: Path, assignment: str) -> list[Submission]:
    """One notebook, a folder holding one folder (or one .ipynb) per student, or an nbgrader
    course root (`submitted/<student>/<assignment>/`), or one notebook inside it."""
    root = nbgrader_course.course_root_of(path, assignment)
    if root is not None:
        only = path.parents[1].name if path.is_file() else None
        return [
            Submission(student, *pick_notebook(folder, assignment), folder=folder)
            for student, folder in nbgrader_course.submission_folders(root, assignment, only)
        ]
    if path.is_file():
        student = path.parent.name if path.name == paths.NOTEBOOK_NAME else path.stem
        return [Submission(safe_name(student), path, folder=path.parent)]
    submissions, seen = [], set()
    for entry in sorted(path.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            notebook, note = pick_notebook(entry, assignment)
            submission = Submission(safe_name(entry.name), notebook, note, folder=entry)
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


def grade_submission(
    assignment: Assignment, submission: Submission, work_root: Path, slot: int, seed: int | None
) -> Result:
    """One submission's result, graded in a sandbox slot of this machine (`slot` is a preference).

    The grader's own failure becomes a zero with the reason: it must not sink the batch.
    """
    try:
        if submission.notebook is None:
            return zero_result(assignment, submission.student, submission.note)
        result = Grader(assignment, work_root, slot=slot, seed=seed).grade(
            submission.notebook, submission.student
        )
        if submission.note:
            result.notes.insert(0, submission.note)
    except Exception as exc:
        result = zero_result(assignment, submission.student, f"internal grader error ({exc!r})")
    return result


class ThreadRunner:
    """Grade in threads of this process, one sandbox slot each: the default, one machine."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)

    def grade(self, assignment: Assignment, submissions: list[Submission], work_root: Path, seed):
        """Yield each submission's Result as it finishes."""
        slots: queue.Queue[int] = queue.Queue()
        for slot in range(self.workers):
            slots.put(slot)

        def grade_one(submission: Submission) -> Result:
            slot = slots.get()
            try:
                return grade_submission(assignment, submission, work_root, slot, seed)
            finally:
                slots.put(slot)

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for future in as_completed([pool.submit(grade_one, s) for s in submissions]):
                yield future.result()


def grade_all(
    assignment: Assignment,
    submissions: list[Submission],
    out: Path,
    workers: int,
    force: bool = False,
    seed: int | None = None,
    show_progress: bool = True,
    on_result=None,
    layout: nbgrader_course.Layout | None = None,
    config: late.GradingConfig | None = None,
    runner=None,
):
    """Grade what is new or changed; return every submission's result (input order) and a Summary.

    A stored result counts only while the submission's fingerprint (sha256 of the notebook)
    is the one it was graded from; anything else is graded again. `force` grades everything.
    `layout` says where results, gradebook and feedback go (default: all under `out`); `config`
    gives due dates and the late policy, applied to stored results too. `runner` says where
    submissions are graded: threads of this process (`ThreadRunner(workers)`, the default) or a
    cluster (`autograder.cluster.DaskRunner`); results come back here either way.
    """
    layout = layout or nbgrader_course.Layout.plain(out)
    config = config or late.GradingConfig()
    out = layout.records
    out.mkdir(parents=True, exist_ok=True)
    store = ResultStore(out / assignment.name / "results")
    lock = open(out / ".lock", "w")
    try:
        import fcntl  # grading a class needs the Linux sandbox anyway

        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BatchBusy(f"another grading run is using {out}; wait for it or choose another --out") from None
    work_root = out / assignment.name / "work"
    shutil.rmtree(work_root, ignore_errors=True)  # leftovers of a run that was killed
    work_root.mkdir(parents=True, exist_ok=True)
    master = paths.released_notebook(assignment.name).read_bytes()
    fingerprints = {s.student: s.fingerprint(master) for s in submissions}
    summary, pending, current = Summary(), [], []
    for submission in submissions:
        stored = store.fingerprint(submission.student) if store.has(submission.student) else None
        if stored is not None and stored == fingerprints[submission.student] and not force:
            summary.unchanged += 1
            current.append(submission.student)
            continue
        if store.has(submission.student):
            summary.changed += 1
        else:
            summary.new += 1
        pending.append(submission)
    by_student = {s.student: s for s in submissions}
    finished: dict[str, Result] = {}

    def finish(result: Result, stored: bool = False):
        """Apply the late policy, then save, record and write the feedback (only what changed)."""
        submission = by_student[result.student]
        changed = late.apply(result, submission.submitted_at, submission.time_source, config)
        finished[result.student] = result
        if not stored or changed:
            store.save(result)
        timestamp = layout.gradebook_timestamp(result, submission.time_source)
        extension = config.extension(assignment.name, result.student)
        gradebook_module.record(book, result, timestamp, extension)
        if not stored or changed or layout.missing(result):
            layout.write(result, assignment.title, submission.notebook, submission.folder)

    due = config.due.get(assignment.name)
    with gradebook_module.open_gradebook(layout.gradebook, assignment, due) as book:
        for student in current:  # re-record what an interrupted run finished, if still current
            finish(store.load(student), stored=True)
        progress = Progress(len(pending), show_progress)
        for result in (runner or ThreadRunner(workers)).grade(assignment, pending, work_root, seed):
            result.submission_sha256 = fingerprints[result.student]
            finish(result)
            progress.step(result.student)
            if on_result is not None:
                on_result(result)
        gradebook_module.export_csv(book, assignment, out / assignment.name / "grades.csv", finished)
    shutil.rmtree(work_root, ignore_errors=True)
    lock.close()
    return [store.load(s.student) for s in submissions], summary
