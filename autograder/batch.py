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
import queue
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tscourse.checking.spec import Assignment

from . import assignments, late, nbgrader_course, paths
from . import gradebook as gradebook_module
from .grading import Grader
from .results import Result, ResultStore, zero_result
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


@dataclass
class GradingOptions:
    """How a class is graded: the command line's choices, in one place."""

    workers: int = 1  # parallel sandboxes on this machine (with the default runner)
    force: bool = False  # grade again submissions whose stored result is current
    seed: int | None = None  # fixes the hidden tests' random inputs; None draws anew for each submission
    show_progress: bool = True  # the progress bar on stderr
    on_result: Callable[[Result], None] | None = None  # called with each newly graded result
    layout: nbgrader_course.Layout | None = None  # where records, gradebook and feedback go (default: OUT)
    config: late.GradingConfig | None = None  # due dates, extensions and the late policy
    runner: Any = None  # where submissions are graded: ThreadRunner(workers) or cluster.DaskRunner


@dataclass
class Intake:
    """What a run finds: each submission's fingerprint, what to grade, what is already current."""

    submissions: dict[str, Submission]  # by student
    fingerprints: dict[str, str]
    pending: list[Submission]
    current: list[str]  # students whose stored result was graded from this very submission
    summary: Summary


class ClassGrading:
    """One assignment graded for a class, from intake to reports; `run` does it all.

        intake   each submission's fingerprint against the stored results: new, changed, unchanged
        grade    each pending submission, in sandboxes here or on a cluster (`GradingOptions.runner`)
        record   each result: the late policy applied, saved atomically, then the gradebook and the
                 feedback (stored results are re-recorded first, so an interrupted run resumes)
        reports  grades.csv from the gradebook

    A stored result counts only while the submission's fingerprint (sha256 of the notebook with the
    released master) is the one it was graded from; anything else is graded again.
    """

    def __init__(self, assignment: Assignment, out: Path, options: GradingOptions | None = None):
        self.assignment = assignment
        self.options = options or GradingOptions()
        self.layout = self.options.layout or nbgrader_course.Layout.plain(out)
        self.config = self.options.config or late.GradingConfig()
        self.out = self.layout.records  # results, grades.csv and the work folder
        self.folder = self.out / assignment.name
        self.finished: dict[str, Result] = {}

    def run(self, submissions: list[Submission]) -> tuple[list[Result], Summary]:
        """Grade what is new or changed; every submission's result (input order) and a Summary."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.store, self.finished = ResultStore(self.folder / "results"), {}
        lock = self._lock()
        work_root = self.folder / "work"
        shutil.rmtree(work_root, ignore_errors=True)  # leftovers of a run that was killed
        work_root.mkdir(parents=True, exist_ok=True)
        intake = self.intake(submissions)
        due = self.config.due.get(self.assignment.name)
        with gradebook_module.open_gradebook(self.layout.gradebook, self.assignment, due) as book:
            for student in intake.current:  # re-record what an interrupted run finished, if still current
                self.record(book, intake, self.store.load(student), stored=True)
            progress = Progress(len(intake.pending), self.options.show_progress)
            for result in self.grade(intake.pending, work_root):
                result.submission_sha256 = intake.fingerprints[result.student]
                self.record(book, intake, result)
                progress.step(result.student)
                if self.options.on_result is not None:
                    self.options.on_result(result)
            self.reports(book)
        shutil.rmtree(work_root, ignore_errors=True)
        lock.close()
        return [self.store.load(s.student) for s in submissions], intake.summary

    def _lock(self):
        lock = open(self.out / ".lock", "w")
        try:
            import fcntl  # grading a class needs the Linux sandbox anyway

            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchBusy(
                f"another grading run is using {self.out}; wait for it or choose another --out"
            ) from None
        return lock

    def intake(self, submissions: list[Submission]) -> Intake:
        """Which submissions to grade: those without a stored result, or changed since (all if forced)."""
        master = paths.released_notebook(self.assignment.name).read_bytes()
        fingerprints = {s.student: s.fingerprint(master) for s in submissions}
        summary, pending, current = Summary(), [], []
        for submission in submissions:
            has = self.store.has(submission.student)
            stored = self.store.fingerprint(submission.student) if has else None
            if stored is not None and stored == fingerprints[submission.student] and not self.options.force:
                summary.unchanged += 1
                current.append(submission.student)
                continue
            if has:
                summary.changed += 1
            else:
                summary.new += 1
            pending.append(submission)
        return Intake({s.student: s for s in submissions}, fingerprints, pending, current, summary)

    def grade(self, pending: list[Submission], work_root: Path) -> Iterator[Result]:
        """Each pending submission's Result, as it finishes."""
        runner = self.options.runner or ThreadRunner(self.options.workers)
        return runner.grade(self.assignment, pending, work_root, self.options.seed)

    def record(self, book, intake: Intake, result: Result, stored: bool = False):
        """Apply the late policy, then save, record and write the feedback (only what changed)."""
        submission = intake.submissions[result.student]
        changed = late.apply(result, submission.submitted_at, submission.time_source, self.config)
        self.finished[result.student] = result
        if not stored or changed:
            self.store.save(result)
        timestamp = self.layout.gradebook_timestamp(result, submission.time_source)
        extension = self.config.extension(self.assignment.name, result.student)
        gradebook_module.record(book, result, timestamp, extension)
        if not stored or changed or self.layout.missing(result):
            self.layout.write(result, self.assignment.title, submission.notebook, submission.folder)

    def reports(self, book):
        """grades.csv: one row per student, one column per test."""
        gradebook_module.export_csv(book, self.assignment, self.folder / "grades.csv", self.finished)
