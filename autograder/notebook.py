"""The grader's cases inside the authored solution notebook: its hidden-test blocks call `run_tests`
with hidden=True to show that the reference passes the hidden cases (on one fixed draw of their
random inputs). Students' test cells use `tscourse.checking.run_tests`, with the recorded cases.
"""

from __future__ import annotations

import numpy as np

from tscourse.checking import notebook

from . import assignments

SEED = 2026  # the draw of random inputs that release records and solution notebooks run


def cases(assignment_name: str, grade_id: str, hidden=False, seed=SEED):
    """The visible (or hidden) cases of one test, built with the reference code."""
    test = assignments.get(assignment_name).test(grade_id)
    return [case for case in test.cases(np.random.default_rng(seed)) if case.hidden == hidden]


def failures(assignment_name: str, grade_id: str, namespace: dict, hidden=False):
    """The failure messages of one test's cases (empty when all pass)."""
    return notebook.judge(cases(assignment_name, grade_id, hidden), namespace)[0]


def run_tests(assignment_name: str, grade_id: str, namespace: dict, hidden=False):
    """Print each failed case (or that all passed), and any warnings; raise if any failed."""
    messages, warnings = notebook.judge(cases(assignment_name, grade_id, hidden), namespace)
    notebook.show(grade_id, messages, warnings, "Hidden tests passed." if hidden else "All tests passed.")
