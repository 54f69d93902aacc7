"""Grade a class on a Dask distributed cluster: one task per submission, plain data both ways.

    python -m autograder grade week4 submissions/ --cluster local:4              # a LocalCluster here
    python -m autograder grade week4 submissions/ --cluster tcp://HOST:8786      # an existing scheduler

The client (the one process that runs `grade`) sends each task the notebook's bytes (workers on
other hosts cannot see its files), the student id, the note on how the notebook was chosen, the seed
and two fingerprints: the released master copy's sha256 and the grader code's. A worker refuses a
task when either differs from its own installation, then grades exactly as the thread pool does, in a
sandbox slot it claims on its own host (`sandbox.claim_slot`: a host-local lock per slot, so users and
cgroups are never shared by two sandboxes of one host, whichever client or worker started them). The
result comes back as a dict, and the client writes results, gradebook, CSV and feedback as with threads
(`batch.ClassGrading`). A worker that dies mid-task loses nothing: the scheduler runs its tasks again on
another worker, and each future resolves once, so the client records each submission once.

`dask` and `distributed` are needed only here (`pip install time-series-course[cluster]`) and are
imported only when a cluster is asked for.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tscourse.checking.spec import Assignment

from . import paths, sandbox
from .results import Result, zero_result

LOCAL = "local:"
IN_FLIGHT_PER_THREAD = 2  # tasks handed to the scheduler per worker thread; other notebooks wait here
WAIT_FOR_WORKERS = 300  # seconds: the workers of a batch system may still be queued when grading starts


class ClusterError(RuntimeError):
    """The cluster cannot grade: a bad address, no workers, or workers that grade differently."""


class WorkerMismatch(ClusterError):
    """A worker's released master copy or grader code is not the client's."""


def parse_address(address: str) -> tuple[str | None, int | None]:
    """`local:N` -> (None, N); `tcp://HOST:PORT` (any scheme://) -> (address, None)."""
    if address.startswith(LOCAL):
        count = address[len(LOCAL) :]
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--cluster {address}: expected local:N with N >= 1 worker processes")
        return None, int(count)
    if "://" not in address:
        raise ClusterError(
            f"--cluster {address}: expected local:N or a scheduler address such as tcp://HOST:8786"
        )
    return address, None


@cache
def code_sha256() -> str:
    """sha256 of the grader's code (every .py of the autograder package): workers must grade alike."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.rglob("*.py")):
        digest.update(str(path.relative_to(here)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def master_sha256(assignment: str) -> str:
    return hashlib.sha256(paths.released_notebook(assignment).read_bytes()).hexdigest()


def _scratch_root() -> Path:
    """The Dask worker's own local directory (cleaned by Dask when a dead worker's is found), else /tmp."""
    try:
        from distributed import get_worker

        return Path(get_worker().local_directory)
    except (ImportError, ValueError):
        return Path(tempfile.gettempdir())


def grade_task(
    assignment_name: str,
    student: str,
    notebook_name: str,
    notebook: bytes | None,
    note: str,
    seed: int | None,
    master: str,
    code: str,
) -> dict:
    """Runs on a worker: grade one submission on this host; its Result as plain data, with where it ran."""
    from . import assignments, batch

    host = socket.gethostname()
    if master != master_sha256(assignment_name) or code != code_sha256():
        raise WorkerMismatch(
            f"worker {host} (pid {os.getpid()}) has another released {assignment_name} notebook or another "
            "autograder version than the client: install the same course version on every node"
        )
    sandbox.check_available()
    assignment = assignments.get(assignment_name)
    scratch = Path(tempfile.mkdtemp(prefix="autograder-", dir=_scratch_root()))
    try:
        path = None
        if notebook is not None:
            path = scratch / (Path(notebook_name).name or paths.NOTEBOOK_NAME)
            path.write_bytes(notebook)
        submission = batch.Submission(student, path, note)
        # A preference only: claim_slot takes the first free slot of this host from there.
        preferred = (os.getpid() + threading.get_ident()) % sandbox.MAX_SLOTS
        result = batch.grade_submission(assignment, submission, scratch / "work", preferred, seed)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"result": result.to_json(), "host": host, "pid": os.getpid()}


def no_op() -> int:
    """A task that does nothing: its round trip is the scheduler's overhead per task."""
    return os.getpid()


def _payload(submission) -> tuple[str, bytes | None, str]:
    """(file name, bytes, note) of a submission; an unreadable notebook is graded as none, with the reason."""
    if submission.notebook is None:
        return paths.NOTEBOOK_NAME, None, submission.note
    try:
        return submission.notebook.name, submission.notebook.read_bytes(), submission.note
    except OSError as exc:
        return submission.notebook.name, None, f"the notebook could not be read ({exc.strerror})"


class DaskRunner:
    """Where `batch.ClassGrading` grades when given --cluster: a context manager around a Dask client.

    `local:N` starts a LocalCluster of N worker processes (one thread each) and stops it on exit;
    a scheduler address connects to workers started elsewhere (Slurm, Kubernetes, by hand).
    """

    def __init__(self, address: str):
        self.address, self.local_workers = parse_address(address)
        self.cluster = None
        self.client = None
        self.ran_on: dict[str, tuple[str, int]] = {}  # student -> (host, worker pid) of the task that counted

    def __enter__(self):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ClusterError(
                "--cluster needs dask and distributed: pip install 'time-series-course[cluster]'"
            ) from exc
        if self.local_workers is not None:
            self.cluster = LocalCluster(
                n_workers=self.local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,  # logging.ERROR: a restarted worker is expected, not news
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.address, timeout="30s")
            except OSError as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from exc
        return self

    def __exit__(self, *exc_info):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def threads(self) -> int:
        """Worker threads now connected (a Slurm or Kubernetes cluster may still be growing)."""
        return sum(self.client.nthreads().values())

    def grade(self, assignment: Assignment, submissions, work_root: Path, seed) -> Iterator[Result]:
        """Yield each submission's Result as it comes back; a bounded number of tasks is in flight."""
        from distributed import KilledWorker, as_completed

        if submissions and self.threads() == 0:
            try:
                self.client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
            except TimeoutError as exc:
                raise ClusterError(f"no worker joined the scheduler within {WAIT_FOR_WORKERS} s") from exc
        fingerprints = (master_sha256(assignment.name), code_sha256())
        waiting = list(reversed(submissions))
        students = {}

        def send():
            submission = waiting.pop()
            name, notebook, note = _payload(submission)
            future = self.client.submit(
                grade_task,
                assignment.name,
                submission.student,
                name,
                notebook,
                note,
                seed,
                *fingerprints,
                key=f"grade-{assignment.name}-{submission.student}-{uuid.uuid4().hex[:8]}",
                pure=False,
            )
            students[future.key] = submission.student
            return future

        running = as_completed([send() for _ in range(min(len(waiting), self._window()))])
        for future in running:
            try:
                answer = future.result()
            except KilledWorker as exc:  # the scheduler's limit of workers lost while running this task
                student = students[future.key]
                reason = f"internal grader error (every worker that graded it died: {exc})"
                answer = {"result": zero_result(assignment, student, reason).to_json(), "host": "", "pid": 0}
            except (WorkerMismatch, sandbox.SandboxUnavailable):  # a worker's refusal stops the batch
                raise
            except Exception as exc:  # not a grading error (grade_task scores those zero): the cluster's
                first_line = (str(exc).splitlines() or [repr(exc)])[0]
                raise ClusterError(
                    f"the cluster could not run a grading task ({first_line}); the scheduler and every "
                    "worker need the same Python environment with this course installed"
                ) from exc
            future.release()
            result = Result.from_json(answer["result"])
            self.ran_on[result.student] = (answer["host"], answer["pid"])
            yield result
            while waiting and running.count() < self._window():
                running.add(send())

    def _window(self) -> int:
        return IN_FLIGHT_PER_THREAD * max(1, self.threads())

    def overhead_seconds(self, tasks: int = 20) -> float:
        """Median round trip of a no-op task, one at a time: the scheduler's overhead per task."""
        import statistics
        import time

        times = []
        for _ in range(tasks):
            started = time.perf_counter()
            self.client.submit(no_op, pure=False).result()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
