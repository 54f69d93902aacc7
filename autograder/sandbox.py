"""Run untrusted code in a throw-away sandbox with hard limits.

Each run uses bubblewrap: a private network namespace with loopback only, a private PID
namespace (killing the sandbox kills every process in it), a minimal read-only view of the
system and the Python environment, and one writable job directory. The code runs as an
unprivileged user of its own (one per worker slot, so one submission's fork bomb cannot
starve another), with limits on address space, processes, file size and time. Nothing of the
course repository (solutions, hidden tests, gradebook, other submissions) is mounted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tscourse.checking import protocol

RUNNER_FILES = protocol.RUNNER_FILES  # from tscourse.checking, copied beside each job
RUNNER_DIR = Path(protocol.__file__).parent
BASE_UID = 61000
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc")


CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Limits:
    cell_seconds: float = 120.0
    total_seconds: float = 600.0
    memory_bytes: int = 4 * 2**30  # per process (address space)
    slot_memory_bytes: int = 6 * 2**30  # all processes of one sandbox together
    processes: int = 512  # threads count too; TensorFlow starts dozens
    output_bytes: int = 2 * 2**20
    file_bytes: int = 256 * 2**20


@dataclass
class RunOutcome:
    status: str  # "done", "timeout", "total_timeout", "output_limit", "crashed"
    step: str | None  # the last progress line, e.g. "cell 4"
    step_seconds: float
    seconds: float
    returncode: int | None
    output: str

    @property
    def finished(self):
        return self.status == "done"


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here; grading untrusted code would be unsafe."""


def check_available():
    if shutil.which("bwrap") is None or shutil.which("setpriv") is None:
        raise SandboxUnavailable(
            "bubblewrap is not installed (Debian: apt-get install bubblewrap); "
            "it is needed to run untrusted submissions"
        )
    if os.geteuid() != 0:
        raise SandboxUnavailable("grading untrusted code needs root to switch to sandbox users")


def prepare_job_dir(job_dir: Path, uid: int):
    """Copy the runner into the job directory and hand the directory to the sandbox user."""
    for name in RUNNER_FILES:
        shutil.copy(RUNNER_DIR / name, job_dir / name)
    (job_dir / "home").mkdir(exist_ok=True)
    (job_dir / protocol.OUT_DIR).mkdir(exist_ok=True)
    for path in [job_dir, *job_dir.rglob("*")]:
        os.lchown(path, uid, uid)


def bwrap_command(job_dir: Path, mode: str, uid: int, limits: Limits):
    python_dirs = sorted({sys.base_prefix, sys.prefix})
    command = [
        "prlimit",
        f"--as={limits.memory_bytes}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_bytes}",
        "--core=0",
        "--",
        "bwrap",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
    ]
    for directory in SYSTEM_DIRS:
        command += ["--ro-bind-try", directory, directory]
    # A private /tmp first: the environment itself may live under /tmp (a clone there).
    command += ["--tmpfs", "/tmp"]
    for directory in _ancestors(python_dirs):
        command += ["--perms", "0755", "--dir", directory]
    for directory in python_dirs:
        command += ["--ro-bind", directory, directory]
    command += [
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--bind",
        str(job_dir),
        "/job",
        "--chdir",
        "/job",
        "--clearenv",
        "--setenv",
        "PATH",
        f"{sys.prefix}/bin:/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/job/home",
        "--setenv",
        "MPLBACKEND",
        "Agg",
        "--setenv",
        "MPLCONFIGDIR",
        "/tmp/matplotlib",
        "--setenv",
        "TF_CPP_MIN_LOG_LEVEL",
        "3",
        "--setenv",
        "PYTHONDONTWRITEBYTECODE",
        "1",
        "--setenv",
        "PYTHONHASHSEED",
        "0",
        "--",
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        sys.executable,
        "-E",
        "-s",
        "/job/runner.py",
        mode,
        "/job",
    ]
    return command


def slot_cgroups(slot: int, limits: Limits) -> list[Path]:
    """Control groups for one worker slot: a fair CPU share, a process cap, a memory cap.

    Where cgroups cannot be written (another kind of machine), the per-process limits
    still apply; a fork bomb could then slow a neighbouring sandbox down, not harm it.
    """
    settings = {
        "cpu": {},
        "pids": {"pids.max": str(limits.processes)},
        "memory": {"memory.limit_in_bytes": str(limits.slot_memory_bytes)},
    }
    groups = []
    for controller, values in settings.items():
        base = CGROUP_ROOT / controller
        if not (base / "cgroup.procs").exists():
            continue
        group = base / "autograder" / f"slot{slot}"
        try:
            group.mkdir(parents=True, exist_ok=True)
            for name, value in values.items():
                (group / name).write_text(value)
        except OSError:
            continue
        groups.append(group)
    return groups


def in_cgroups(command: list[str], groups: list[Path]) -> list[str]:
    """Wrap a command so that it joins `groups` before it starts."""
    if not groups:
        return command
    targets = " ".join(f"'{group}/cgroup.procs'" for group in groups)
    return ["sh", "-c", f'echo $$ | tee {targets} >/dev/null && exec "$@"', "sh", *command]


def _ancestors(directories):
    """Parent folders of the bound paths, so the sandbox user can walk down to them."""
    found = set()
    for directory in directories:
        for parent in Path(directory).parents:
            if str(parent) not in ("/",) and not any(
                str(parent) == system or str(parent).startswith(system + "/") for system in SYSTEM_DIRS
            ):
                found.add(str(parent))
    return sorted(found, key=lambda path: path.count("/"))


def plain_command(job_dir: Path, mode: str):
    """The runner without isolation: for a student checking their own notebook."""
    return [sys.executable, "-E", "-s", str(job_dir / "runner.py"), mode, str(job_dir)]


SLOT_LOCKS = Path("/run/autograder")
MAX_SLOTS = 64


@contextmanager
def claim_slot(preferred: int):
    """A sandbox slot (user id and cgroups) that no other grading process on this machine holds.

    Workers of one run prefer different slots; separate runs (two instructors, a calibration
    beside a class) fall through to free ones, so no two sandboxes ever share a user or cgroup.
    """
    SLOT_LOCKS.mkdir(parents=True, exist_ok=True)
    for offset in range(MAX_SLOTS):
        slot = (preferred + offset) % MAX_SLOTS
        handle = open(SLOT_LOCKS / f"slot{slot}.lock", "w")
        try:
            import fcntl  # POSIX only, like the sandbox itself; a student's `check` never gets here

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield slot
        finally:
            handle.close()
        return
    raise SandboxUnavailable(f"all {MAX_SLOTS} sandbox slots are busy")


def run(job_dir: Path, mode: str, slot: int, limits: Limits, isolate: bool = True) -> RunOutcome:
    """Run `runner.py MODE` for the job in `job_dir` in a sandbox slot (preferring `slot`).

    With `isolate=False` the runner is an ordinary child process with the same time and
    output limits: that is for a student running their own code, never for grading.
    """
    (job_dir / protocol.OUT_DIR).mkdir(exist_ok=True)
    if not isolate:
        for name in RUNNER_FILES:
            shutil.copy(RUNNER_DIR / name, job_dir / name)
        environment = {**os.environ, "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3"}
        return _start(plain_command(job_dir, mode), job_dir, limits, environment)
    with claim_slot(slot) as claimed:
        uid = BASE_UID + claimed
        prepare_job_dir(job_dir, uid)
        groups = slot_cgroups(claimed, limits)
        command = in_cgroups(bwrap_command(job_dir, mode, uid, limits), groups)
        try:
            return _start(command, job_dir, limits, None)
        finally:
            _drain(groups)


def _drain(groups: list[Path], seconds: float = 15.0):
    """Kill whatever is left in a slot's cgroups and wait until they are empty.

    After a fork bomb, dying processes can linger for a moment; the next sandbox in this
    slot must not start against a full process quota.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = set()
        for group in groups:
            try:
                pids.update(int(pid) for pid in (group / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                continue
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def _start(command, job_dir: Path, limits: Limits, environment) -> RunOutcome:
    log_path = job_dir.parent / f"{job_dir.name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=environment,
        )
        outcome = _watch(process, job_dir / protocol.OUT_DIR / protocol.PROGRESS_FILE, log_path, limits)
    outcome.output = _tail(log_path)
    return outcome


def _watch(process, progress_path, log_path, limits):
    started = time.monotonic()
    step, step_started = None, started
    status = None
    while True:
        returncode = process.poll()
        now = time.monotonic()
        latest = _last_line(progress_path)
        if latest != step:
            step, step_started = latest, now
        if returncode is not None:
            status = "done" if step == protocol.DONE else "crashed"
            break
        if now - step_started > limits.cell_seconds:
            status = "timeout"
        elif now - started > limits.total_seconds:
            status = "total_timeout"
        elif log_path.stat().st_size > limits.output_bytes:
            status = "output_limit"
        if status is not None:
            _kill(process)
            break
        time.sleep(0.05)
    return RunOutcome(
        status=status,
        step=step,
        step_seconds=round(time.monotonic() - step_started, 1),
        seconds=round(time.monotonic() - started, 2),
        returncode=process.returncode,
        output="",
    )


def _kill(process):
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, 9)
        else:  # Windows, where a student runs `check`: no process groups
            process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def _last_line(path: Path):
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, path.stat().st_size - 256))
            lines = handle.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return None
    return lines[-1][:64] if lines else None


def _tail(path: Path, limit=4000):
    size = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(max(0, size - limit))
        return handle.read().decode("utf-8", "replace")
