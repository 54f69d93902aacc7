"""The student's side of the tests: visible cases recorded at release and the judges that read them.

Everything here is what a student installs: no reference implementation and no hidden case (those
stay with the grader, `autograder`, which builds its cases with these same judges). Test cells call
`run_tests(assignment, grade_id, globals())`; `python -m tscourse check` checks a whole notebook.
"""

from .notebook import run_tests

__all__ = ["run_tests"]
