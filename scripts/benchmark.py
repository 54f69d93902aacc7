"""Benchmark the course: seconds per notebook, per grading run, and grading throughput.

    python scripts/benchmark.py                 # every notebook + one grading run per assignment
    python scripts/benchmark.py --load 200      # also grade 200 generated submissions: 2 threads, then LocalCluster(2)
    python scripts/benchmark.py --only week1    # one week

Each notebook is executed from a fresh kernel in its own folder, as the book build does. The
budgets come from the course's issues; the table marks any row that is over budget.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from autograder import assignments, batch, paths  # noqa: E402
from autograder.grading import Grader  # noqa: E402

NOTEBOOK_BUDGET = {"week1": 10, "week2": 30, "week3": 60, "week4": 90, "week5": 90}
GRADING_BUDGET = {"week1": 15, "week2": 40, "week3": 75, "week4": 100, "week5": 100}
COURSE_BUDGET = 8 * 60
FORECAST_BUDGET = 2.0  # seconds for the grader's one-window-at-a-time forecast of week 4's validation period


def course_notebooks(weeks):
    for week in weeks:
        yield from sorted((paths.RELEASED / week).glob("lab*.ipynb"))
        if paths.source_notebook(week).exists():
            yield paths.source_notebook(week)


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    started = time.perf_counter()
    client.execute()
    return time.perf_counter() - started


def row(name, seconds, budget):
    status = "ok" if seconds <= budget else "OVER"
    return f"| {name} | {seconds:.1f} | {budget} | {status} |"


def forecast_costs():
    """Seconds for the grader's forecast (each window alone) and for one batched predict, week 4 sizes."""
    import keras

    from autograder.assignments import week4
    from tscourse.checking import runner

    _, values = week4.load_series()
    series = values[week4.SPLIT_TIME - week4.WINDOW_SIZE :].astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(  # the week 4 reference architecture
        [
            keras.Input((week4.WINDOW_SIZE, 1)),
            keras.layers.Conv1D(32, 3, padding="causal", activation="relu"),
            keras.layers.LSTM(32),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    windows = runner.model_windows(model, series, week4.WINDOW_SIZE)
    runner.forecast_batched(model, windows)  # warm up TensorFlow
    started = time.perf_counter()
    runner.forecast_batched(model, windows)
    batched = time.perf_counter() - started
    started = time.perf_counter()
    runner.forecast(model, series, week4.WINDOW_SIZE)
    alone = time.perf_counter() - started
    return len(windows), alone, batched


def install_costs():
    """The wheel's size, and seconds to install it with the pinned requirements into a fresh environment."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        command = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            base,
            ROOT,
        ]
        subprocess.run([str(part) for part in command], check=True)
        (wheel,) = base.glob("*.whl")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
        install = [
            base / "venv" / "bin" / "python",
            "-m",
            "pip",
            "install",
            "-q",
            "-r",
            ROOT / "requirements.txt",
        ]
        subprocess.run([str(part) for part in install + [wheel]], check=True)
        return wheel.name, wheel.stat().st_size, time.perf_counter() - started


def load_table(tmp: Path, count: int) -> str:
    """One generated Week 1 class graded twice from scratch: 2 threads, then a LocalCluster of 2 worker processes.

    The cluster's start-up is timed apart; its overhead per task is the median round trip of a no-op task.
    """
    from generate_class import generate_class

    from autograder import cluster

    folder = tmp / "class"
    generate_class(folder, count)
    submissions = batch.discover(folder, "week1")
    spec = assignments.get("week1")

    def timed(out, runner=None):
        started = time.perf_counter()
        options = batch.GradingOptions(workers=2, show_progress=False, runner=runner)
        results, _ = batch.ClassGrading(spec, out, options).run(submissions)
        return results, time.perf_counter() - started

    rows = [
        "| week1 generated class | submissions | seconds | submissions per minute | start-up (s) | overhead per task (ms) |"
    ]
    rows.append("|---|---:|---:|---:|---:|---:|")
    results, seconds = timed(tmp / "threads")
    rows.append(
        f"| thread pool, 2 workers | {len(results)} | {seconds:.1f} | {60 * len(results) / seconds:.1f} | – | – |"
    )
    started = time.perf_counter()
    with cluster.DaskRunner("local:2") as runner:
        runner.client.wait_for_workers(2)
        start_up = time.perf_counter() - started
        overhead = runner.overhead_seconds()
        results, seconds = timed(tmp / "cluster", runner)
    rows.append(
        f"| LocalCluster(2), --cluster local:2 | {len(results)} | {seconds:.1f} | {60 * len(results) / seconds:.1f} "
        f"| {start_up:.1f} | {1000 * overhead:.1f} |"
    )
    return "\n" + "\n".join(rows)


def grading_costs(weeks, tmp: Path):
    """Print the grader's forecast cost and one sandboxed grading run of each reference solution."""
    count, alone, batched = forecast_costs()
    print("\n| grader's forecast, week 4 validation | seconds | budget | status |\n|---|---:|---:|---|")
    print(row(f"{count} windows, each alone, plus the batched comparison", alone, FORECAST_BUDGET))
    print(row(f"{count} windows in one batched predict (for reference)", batched, FORECAST_BUDGET))

    print(
        "\n| grading run (reference solution, sandboxed) | seconds | budget | status |\n|---|---:|---:|---|"
    )
    for week in weeks:
        if week not in assignments.available():
            continue
        grader = Grader(assignments.get(week), tmp / "work")
        started = time.perf_counter()
        result = grader.grade(paths.source_notebook(week), "reference")
        seconds = time.perf_counter() - started
        label = f"{week} ({result.score:g}/{result.max_score:g} points)"
        print(row(label, seconds, GRADING_BUDGET[week]), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="restrict to these weeks (repeatable)")
    parser.add_argument("--load", type=int, default=0, help="also grade N generated Week 1 submissions")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument(
        "--skip-grading", action="store_true", help="no forecast costs or reference grading runs"
    )
    parser.add_argument("--install", action="store_true", help="also time a fresh install of the wheel")
    args = parser.parse_args(argv)
    weeks = args.only or [w for w in assignments.available() if (paths.RELEASED / w).exists()]

    total = 0.0
    if not args.skip_notebooks:
        print("| notebook | seconds | budget | status |\n|---|---:|---:|---|")
        for path in course_notebooks(weeks):
            seconds = execute(path)
            total += seconds
            week = path.parent.name
            print(row(str(path.relative_to(ROOT)), seconds, NOTEBOOK_BUDGET[week]), flush=True)
        print(row("**every lab and solution**", total, COURSE_BUDGET))

    if args.install:
        name, size, seconds = install_costs()
        print("\n| course package | wheel size | fresh install (pip cache as it is) |\n|---|---:|---:|")
        print(f"| {name} | {size / 2**10:.0f} KiB | {seconds:.0f} s |", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_grading:
            grading_costs(weeks, Path(tmp))
        if args.load:
            print(load_table(Path(tmp), args.load), flush=True)


if __name__ == "__main__":
    main()
