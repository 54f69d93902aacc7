"""Command line: release assignments, grade submissions, let students check their work.

python -m autograder release [ASSIGNMENT ...]
python -m autograder grade ASSIGNMENT PATH [--json] [--out DIR] [--workers N | --cluster ADDRESS] [--force] [--config FILE]
python -m autograder check ASSIGNMENT NOTEBOOK
python -m autograder publish DIR [--force]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

from . import assignments, batch, cluster, late, nbgrader_course, publish, release, report, sandbox
from .grading import Grader

EXIT_OK, EXIT_FAILED_TESTS, EXIT_USAGE = 0, 1, 2


def _release(args):
    for name in args.assignments or assignments.available():
        print(f"released {release.release(name)}")
        print(f"recorded {release.record_expected(name)}")
    return EXIT_OK


def _grade(args):
    assignment = assignments.get(args.assignment)
    path = Path(args.path)
    if not path.exists():
        print(f"error: no such file or folder: {path}", file=sys.stderr)
        return EXIT_USAGE
    root = nbgrader_course.course_root_of(path, assignment.name)
    config = late.find_config(args.config, root or path)
    address, _ = cluster.parse_address(args.cluster) if args.cluster else (None, None)
    if address is None:  # workers of a remote scheduler check their own sandbox, on their own hosts
        sandbox.check_available()
    submissions = batch.discover(path, assignment.name)
    if not submissions:
        print(f"error: no submissions found in {path}", file=sys.stderr)
        return EXIT_USAGE
    if path.is_dir():  # a whole class: an extension nobody matches is most likely a misspelt name
        for key in config.unmatched_extensions(assignment.name, [s.student for s in submissions]):
            print(f"warning: {key}: no submission from this student (a misspelt name?)", file=sys.stderr)
    if root is not None:
        layout = nbgrader_course.Layout.nbgrader(root, Path(args.out) if args.out else None)
    else:
        layout = nbgrader_course.Layout.plain(Path(args.out or "graded"))
    out = layout.records

    def show(result):
        if not args.json:
            print(report.table(result), flush=True)

    with _runner(args) as runner:
        options = batch.GradingOptions(
            workers=args.workers,
            force=args.force,
            seed=args.seed,
            show_progress=not args.quiet and sys.stderr.isatty(),
            on_result=show,
            layout=layout,
            config=config,
            runner=runner,
        )
        results, summary = batch.ClassGrading(assignment, out, options).run(submissions)
    if args.json:
        for result in results:
            print(report.json_line(result))
        print(summary.line(), file=sys.stderr)
    else:
        print(summary.line())
        total = sum(r.score for r in results)
        print(
            f"Graded {len(results)} submission(s) of {assignment.name}; mean score "
            f"{total / len(results):.2f} / {assignment.max_score:g}. Grades: {out / assignment.name / 'grades.csv'}; "
            f"feedback: {layout.feedback_root}/"
        )
    return EXIT_OK


def _runner(args):
    """Where to grade: Dask workers with --cluster (dask is imported only then), else this machine's threads."""
    if args.cluster:
        return cluster.DaskRunner(args.cluster)
    return contextlib.nullcontext(None)


def _check(args):
    assignment = assignments.get(args.assignment)
    notebook = Path(args.notebook)
    if not notebook.is_file():
        print(f"error: no such notebook: {notebook}", file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
        grader = Grader(assignment, Path(tmp), isolate=False, hidden=False, seed=0)
        result = grader.grade(notebook, notebook.stem)
    print(report.table(result))
    failed = [test for test in result.tests if test.score < test.max_score]
    if failed:
        print(f"{len(failed)} of {len(result.tests)} tests failed (the grader also runs hidden tests).")
        return EXIT_FAILED_TESTS
    print("All visible tests passed (the grader also runs hidden tests).")
    return EXIT_OK


def _publish(args):
    try:
        target = publish.publish(Path(args.dir), force=args.force)
    except publish.PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"published the student edition in {target}")
    return EXIT_OK


def parser():
    root = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)

    rel = commands.add_parser(
        "release",
        help="regenerate student notebooks and their visible tests' expected values from solutions/",
    )
    rel.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    rel.set_defaults(run=_release)

    grade = commands.add_parser("grade", help="grade one notebook or a folder of submissions")
    grade.add_argument("assignment", help="e.g. week1")
    grade.add_argument("path", help="a notebook, or a folder with one folder per student")
    grade.add_argument("--json", action="store_true", help="print one JSON object per submission")
    grade.add_argument(
        "--out",
        default=None,
        help="where results, feedback and grades.csv go (default: graded/; in an nbgrader course "
        "COURSE/graded/, with the gradebook, autograded/ and feedback/ at the course root)",
    )
    grade.add_argument(
        "--config",
        default=None,
        help=f"due dates and late policy (default: {late.CONFIG_NAME} in PATH's folder, else here)",
    )
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel sandboxes")
    grade.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="grade on Dask workers: local:N starts N worker processes here; tcp://HOST:PORT is a scheduler",
    )
    grade.add_argument("--force", action="store_true", help="grade again submissions already graded")
    grade.add_argument("--seed", type=int, default=None, help="fix the hidden tests' random inputs")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.set_defaults(run=_grade)

    check = commands.add_parser("check", help="run the visible tests on your own notebook")
    check.add_argument("assignment")
    check.add_argument("notebook")
    check.set_defaults(run=_check)

    edition = commands.add_parser(
        "publish", help="write the student edition (no solutions, hidden tests or grader) into DIR"
    )
    edition.add_argument("dir", help="an empty folder (or any folder, with --force)")
    edition.add_argument("--force", action="store_true", help="replace what DIR holds")
    edition.set_defaults(run=_publish)
    return root


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except assignments.UnknownAssignment as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    except (sandbox.SandboxUnavailable, batch.BatchBusy, late.ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except cluster.ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
