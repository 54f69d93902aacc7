"""Release: turn an authored solution notebook into the student copy, with nbgrader, and record the
expected values of its visible tests for the student package.

nbgrader's own preprocessors lock cells, strip hidden tests, clear outputs and record
checksums. Before them, `NonePlaceholders` replaces each `### BEGIN SOLUTION` ...
`### END SOLUTION` block with `name = None` lines for the names the solution assigns, so the
released code still runs and the visible tests can say "you left None in place".
"""

from __future__ import annotations

import ast
import textwrap

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)

from tscourse.checking import record

from . import assignments, notebook, paths

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def placeholder_lines(block: list[str], indent: str) -> list[str]:
    """`target = None` for every name a solution block assigns at its top level."""
    try:
        tree = ast.parse(textwrap.dedent("\n".join(block)))
    except SyntaxError:
        tree = ast.Module(body=[], type_ignores=[])
    targets: list[str] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            candidates = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            candidates = [statement.target]
        else:
            candidates = []
        for target in candidates:
            if isinstance(target, ast.Tuple):
                text = ", ".join(ast.unparse(element) for element in target.elts)
            elif isinstance(target, ast.Name):
                text = target.id
            else:
                continue
            if text not in targets:
                targets.append(text)
    lines = []
    for target in targets:
        count = target.count(",") + 1
        value = ", ".join(["None"] * count) if count > 1 else "None"
        lines.append(f"{indent}{target} = {value}")
    return lines or [f"{indent}pass"]


def replace_solutions(source: str) -> str:
    """Replace every solution block in a code cell's source by None placeholders."""
    output, block, indent = [], None, ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            block, indent = [], line[: len(line) - len(line.lstrip())]
        elif stripped == END and block is not None:
            output.extend(placeholder_lines(block, indent))
            block = None
        elif block is not None:
            block.append(line)
        else:
            output.append(line)
    return "\n".join(output)


class NonePlaceholders(Preprocessor):
    """Solution code becomes `name = None` placeholders instead of nbgrader's single stub."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = replace_solutions(cell.source)
        return cell, resources


class ClearWrittenAnswers(ClearSolutions):
    """nbgrader's ClearSolutions for written (markdown) answers; code cells have placeholders."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


def student_copy(notebook, assignment: str):
    """The released version of an authored notebook (a new object; the input is unchanged)."""
    notebook = nbformat.from_dict(notebook)
    resources = {"nbgrader": {"assignment": assignment, "notebook": "assignment"}}
    steps = [
        NonePlaceholders(),
        LockCells(),
        ClearWrittenAnswers(),
        ClearOutput(),
        CheckCellMetadata(),
        ComputeChecksums(),
        ClearHiddenTests(),
        ClearMarkScheme(),
        ComputeChecksums(),
        CheckCellMetadata(),
    ]
    for step in steps:
        notebook, resources = step.preprocess(notebook, resources)
    notebook.metadata["autograder"] = {"assignment": assignment}
    return notebook


def render(assignment: str) -> str:
    """The released notebook's exact text, generated from the solution source."""
    source = nbformat.read(paths.source_notebook(assignment), as_version=4)
    return nbformat.writes(student_copy(source, assignment)) + "\n"


def release(assignment: str):
    """Write the student copy next to the other notebooks of its week; return its path."""
    target = paths.released_notebook(assignment)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(assignment), encoding="utf-8")
    return target


def visible_tests(assignment: str):
    """Each test's grade_id and visible cases, built with the reference code on the notebooks' draw."""
    return [
        (test.grade_id, notebook.cases(assignment, test.grade_id))
        for test in assignments.get(assignment).tests
    ]


def render_expected(assignment: str) -> str:
    """The recorded visible cases' exact text (see tscourse.checking.record)."""
    return record.render(assignment, visible_tests(assignment), paths.DATA)


def record_expected(assignment: str):
    """Write the visible cases' expected values into the student package; return the file's path."""
    target = record.path(assignment)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_expected(assignment), encoding="utf-8")
    return target
