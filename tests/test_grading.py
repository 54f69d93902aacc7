"""End-to-end grading in the sandbox: reference, blank release, and a partly wrong solution."""

import pytest
from conftest import scores, solution_with

from autograder import assignments, paths

AVAILABLE = assignments.available()


@pytest.mark.slow
@pytest.mark.parametrize("name", AVAILABLE)
def test_reference_solution_gets_full_marks(grade, name):
    result = grade(name, paths.source_notebook(name))
    failed = {t.name: t.message for t in result.tests if t.score != t.max_score}
    assert not failed
    assert result.score == result.max_score == assignments.get(name).max_score


@pytest.mark.parametrize("name", AVAILABLE)
def test_blank_release_gets_zero_without_crashing(grade, name):
    result = grade(name, paths.released_notebook(name))
    assert result.score == 0
    assert len(result.tests) == len(assignments.get(name).tests)
    assert all(test.message.startswith("Failed test case:") for test in result.tests)


OFF_BY_ONE = '''
def moving_average_forecast(series, window_size):
    """Off by one: one window too many."""
    return np.array([series[i : i + window_size].mean() for i in range(len(series) - window_size + 1)])
'''


def test_off_by_one_moving_average_loses_exactly_its_tests(grade, tmp_path):
    notebook = solution_with("week1", tmp_path, {"moving_average_forecast": OFF_BY_ONE})
    result = grade("week1", notebook)
    depends_on_moving_average = {
        "test_moving_average_forecast",
        "test_diff_plus_past_forecast",
        "test_diff_plus_smoothed_past_forecast",
        "test_forecast_mae_threshold",
    }
    lost = {name for name, score in scores(result).items() if score == 0}
    assert lost == depends_on_moving_average
    spec = assignments.get("week1")
    assert result.score == spec.max_score - sum(spec.test(name).points for name in lost)
    message = next(t.message for t in result.tests if t.name == "test_moving_average_forecast")
    assert "Expected: a numpy array of length 7, but got: length 8" in message
