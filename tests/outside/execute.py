"""Execute one notebook in place with this interpreter's own kernel (run by the fresh environment).

    python execute.py NOTEBOOK [--allow-errors] [--solutions]

With --solutions, every "Things to try" solution of a lab (the Python block of each Solution dropdown in its
last cell) then runs in the same kernel, after the lab's own cells and in order, as a student who opens the
solutions after the lab would run them. The notebook is saved with the lab's cells only; what each solution
did (seconds, error) goes to NOTEBOOK.solutions.json beside it.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

SOLUTION = re.compile(r"^:::\{dropdown\} Solution\n```python\n(.+?)\n```\n", re.M | re.S)
CELL_TIMEOUT = 600
# A hang guard, not a speed test: solutions are written to take well under 30 s on two cores.
SOLUTION_TIMEOUT = 180
SOLUTION_TAG = "things-to-try-solution"


def solutions(notebook) -> list[str]:
    """The code of each Solution dropdown in the notebook's last cell ("## Things to try"), in order."""
    last = notebook.cells[-1] if notebook.cells else None
    if last is None or last.cell_type != "markdown" or not last.source.startswith("## Things to try"):
        return []
    return SOLUTION.findall(last.source)


def solution_cell(code: str):
    """A code cell that may raise without stopping the run (nbclient's `raises-exception` tag)."""
    return nbformat.v4.new_code_cell(code, metadata={"tags": ["raises-exception", SOLUTION_TAG]})


def seconds(cell) -> float | None:
    """Wall-clock seconds from the kernel starting the cell to its reply, from nbclient's timing record."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def outcome(number: int, cell) -> dict:
    """What one solution cell did: its number, seconds and the error it raised, if any."""
    raised = [out for out in cell.outputs if out.get("output_type") == "error"]
    error = f"{raised[0]['ename']}: {raised[0]['evalue']}"[:2000] if raised else None
    if cell.execution_count is None:
        error = "not run: the lab stopped before its solutions"
    return {"solution": number, "seconds": seconds(cell), "error": error}


def timeout_for(cell) -> int:
    return SOLUTION_TIMEOUT if SOLUTION_TAG in cell.metadata.get("tags", []) else CELL_TIMEOUT


def main(argv: list[str]) -> None:
    path = Path(argv[0])
    notebook = nbformat.read(path, as_version=4)
    lab_cells = len(notebook.cells)
    if "--solutions" in argv:
        notebook.cells += [solution_cell(code) for code in solutions(notebook)]
    client = NotebookClient(
        notebook,
        timeout_func=timeout_for,
        kernel_name="python3",
        allow_errors="--allow-errors" in argv,
        resources={"metadata": {"path": "."}},
    )
    try:
        client.execute()
    finally:
        extra = notebook.cells[lab_cells:]
        notebook.cells = notebook.cells[:lab_cells]
        nbformat.write(notebook, path)
        if "--solutions" in argv:
            report = [outcome(number, cell) for number, cell in enumerate(extra, 1)]
            path.with_suffix(".solutions.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
