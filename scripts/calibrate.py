"""Calibrate an assignment's forecast threshold: how the reference and the baselines score.

For each seed, the authored solution notebook is graded by the real grader (sandbox and all),
with its `SEED = ...` line set to that seed, and the threshold test's metric is recorded.
The baselines (naive forecast, moving average) come from the assignment module's
`baselines()`. The table this prints is what docs/calibration.md records.

    python scripts/calibrate.py week2 --seeds 20 --workers 2
"""

from __future__ import annotations

import argparse
import importlib
import re
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder import assignments, paths  # noqa: E402
from autograder.grading import Grader  # noqa: E402

SEED_LINE = re.compile(r"^SEED = \d+$", re.MULTILINE)


def seeded_copy(assignment: str, seed: int, folder: Path) -> Path:
    """The solution notebook with its SEED line set to `seed`.

    The grader runs setup (locked) cells from the released master, not from the submission, so
    rewriting a setup cell alone would change nothing. For a setup cell, the re-seeded copy of its
    code is added right after it as an extra (untagged) cell, which the grader runs in that place:
    the run is then the same as with a master whose SEED line says `seed`.
    """
    notebook = nbformat.read(paths.source_notebook(assignment), as_version=4)
    found = False
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        if cell.cell_type == "code" and SEED_LINE.search(cell.source):
            source = SEED_LINE.sub(f"SEED = {seed}", cell.source)
            found = True
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = source
            else:
                cells.append(nbformat.v4.new_code_cell(source))
    notebook.cells = cells
    if not found and seed == 0:
        print(f"(no 'SEED = <number>' line in {assignment}: the notebook is deterministic)\n")
    target = folder / f"seed{seed}.ipynb"
    nbformat.write(notebook, target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    assignment = assignments.get(args.assignment)
    module = importlib.import_module(f"autograder.assignments.{args.assignment}")
    threshold_test = assignment.tests[-1]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def grade(seed):
            notebook = seeded_copy(args.assignment, seed, folder)
            grader = Grader(assignment, folder / "work", slot=seed % args.workers, seed=seed)
            result = grader.grade(notebook, f"seed{seed}")
            test = next(t for t in result.tests if t.name == threshold_test.grade_id)
            return seed, test, result

        with ThreadPoolExecutor(args.workers) as pool:
            rows = list(pool.map(grade, range(args.seeds)))

    metric = None
    values = []
    print(f"## {args.assignment}: {threshold_test.title}\n")
    print("| seed | metric | passed | total score | seconds |")
    print("|---:|---:|:---:|---:|---:|")
    for seed, test, result in rows:
        if test.measurements:
            metric, value = next(iter(test.measurements.items()))
            values.append(value)
            shown = f"{metric} {value:.3f}"
        else:
            shown = test.message[:60]
        passed = "yes" if test.score == test.max_score else "NO"
        print(
            f"| {seed} | {shown} | {passed} | {result.score:g}/{result.max_score:g} | {result.seconds:.1f} |"
        )
    passes = sum(1 for _, test, _ in rows if test.score == test.max_score)
    print(f"\nReference passes in {passes} of {len(rows)} seeds.")
    for seed, test, result in rows:
        if test.score != test.max_score or result.notes:
            print(f"- seed {seed}: {test.message}" + "".join(f" Note: {note}" for note in result.notes))
    if values:
        print(
            f"{metric}: min {min(values):.3f}, median {statistics.median(values):.3f}, max {max(values):.3f}"
        )
    if hasattr(module, "baselines"):
        print("\nBaselines on the same validation period (must fail the threshold):")
        for name, value in module.baselines().items():
            print(f"- {name}: {value:.3f}")
    return 0 if passes >= len(rows) - len(rows) // 20 else 1


if __name__ == "__main__":
    sys.exit(main())
