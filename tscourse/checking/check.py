"""`python -m tscourse check ASSIGNMENT NOTEBOOK`: run a notebook and judge its visible tests.

The notebook's cells run in this process (it is the student's own code, on the student's own
machine), its test cells excepted; then every visible test recorded for the assignment is judged,
with the grader's messages. The grader runs hidden tests too.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

from . import notebook, record, runner

EXIT_OK, EXIT_FAILED_TESTS, EXIT_USAGE = 0, 1, 2


def _cells(path: Path):
    import nbformat

    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def _is_test(cell) -> bool:
    info = cell.metadata.get("nbgrader", {})
    return bool(info.get("grade")) and not info.get("solution")


def run_notebook(path: Path) -> tuple[dict, list[str]]:
    """The namespace the notebook's cells leave (test cells skipped), and a note per failed cell."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    shell.showtraceback = lambda *args, **kwargs: None  # each error is summed up in a note instead
    os.environ.setdefault("MPLBACKEND", "Agg")
    notes, cells = [], _cells(path)
    here = Path.cwd()
    os.chdir(path.resolve().parent)  # notebooks read files relative to their own folder
    try:
        for number, cell in enumerate(cells, 1):
            if _is_test(cell):
                continue
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                result = shell.run_cell(cell.source, store_history=False, silent=True)
            error = result.error_before_exec or result.error_in_exec
            if error is not None:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                name = f"Cell `{grade_id}`" if grade_id else f"Code cell {number}"
                notes.append(f"{name} raised {runner.error_summary(error)}")
    finally:
        os.chdir(here)
    return shell.user_ns, notes


def check(assignment: str, path: Path) -> int:
    """Print each visible test's result; the exit status says whether all passed."""
    tests = record.visible_tests(assignment)
    namespace, notes = run_notebook(path)
    for note in notes:
        print(f"Note: {note}")
    failed = 0
    for grade_id, cases in tests:
        messages, warnings = notebook.judge(cases, namespace)
        print(f"{'FAILED' if messages else 'passed'}  {grade_id}")
        for line in messages + [f"Warning: {warning}." for warning in warnings]:
            print(f"    {line}")
        failed += bool(messages)
    if failed:
        print(f"{failed} of {len(tests)} tests failed (the grader also runs hidden tests).")
        return EXIT_FAILED_TESTS
    print("All visible tests passed (the grader also runs hidden tests).")
    return EXIT_OK


def main(argv=None) -> int:
    import argparse

    root = argparse.ArgumentParser(prog="python -m tscourse", description="The course's student tools.")
    commands = root.add_subparsers(dest="command", required=True)
    command = commands.add_parser("check", help="run the visible tests on your own notebook")
    command.add_argument("assignment", help="e.g. week1")
    command.add_argument("notebook")
    args = root.parse_args(argv)
    path = Path(args.notebook)
    if not path.is_file():
        print(f"error: no such notebook: {path}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return check(args.assignment, path)
    except record.NotRecorded as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
    except (ValueError, OSError) as exc:  # not a notebook: nbformat cannot read it
        print(f"error: {path} is not a readable notebook ({exc})", file=sys.stderr)
    return EXIT_USAGE
