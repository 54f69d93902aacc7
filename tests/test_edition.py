"""The student edition (`python -m autograder publish`): nothing of the solutions, the hidden cases or
the grader is in it, and its visible tests, run without the grader, give the grader's messages."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from autograder import assignments, notebook, paths, publish
from autograder.grading import Grader
from tscourse.checking import record

WEEKS = assignments.available()
SITE = sysconfig.get_paths()["purelib"]


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return publish.publish(tmp_path_factory.mktemp("edition") / "course")


def normalise(code: str) -> str:
    """Code lines without indentation, blank lines or comments, so that a copy is found however placed."""
    lines = (line.strip() for line in code.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("#"))


def edition_texts(edition: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(p for p in edition.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":  # the cells' code, as it would read in a file
            text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        texts[str(path.relative_to(edition))] = normalise(text)
    return texts


def solution_blocks() -> list[tuple[str, str]]:
    """(notebook, code) of every solution and hidden-test block of the authored notebooks."""
    blocks = []
    for path in sorted(paths.SOLUTIONS.glob("*/assignment.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            block = None
            for line in cell.source.splitlines():
                marker = line.strip()
                if marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                    block = []
                elif marker in ("### END SOLUTION", "### END HIDDEN TESTS") and block is not None:
                    if normalise("\n".join(block)):
                        blocks.append((path.parent.name, normalise("\n".join(block))))
                    block = None
                elif block is not None:
                    block.append(line)
    return blocks


# The assignments' data, defined as the notebooks define it: not the grader's secret.
ASSIGNMENT_DATA = (
    "make_series",
    "make_signal",
    "seasonal_pattern",
    "load_series",
    "assignment_data",
    "dates_of",
)


def grader_functions() -> list[tuple[str, str]]:
    """(name, body) of every function of the assignments' grader modules but those that make the data:
    reference code, baselines, case generators."""
    found = []
    for path in sorted((paths.ROOT / "autograder" / "assignments").glob("week*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name not in ASSIGNMENT_DATA:
                body = "\n".join(ast.get_source_segment(source, statement) for statement in node.body)
                found.append((f"{path.stem}.{node.name}", normalise(body)))
    return found


def test_the_edition_holds_no_solution_and_no_hidden_test(edition):
    texts = edition_texts(edition)
    blocks = solution_blocks()
    assert len({week for week, _ in blocks}) == len(WEEKS) and len(blocks) > 5 * len(WEEKS)
    leaked = [
        (week, code[:60], name) for week, code in blocks for name, text in texts.items() if code in text
    ]
    assert leaked == []


def test_the_edition_holds_no_reference_code_and_no_grader(edition):
    texts = edition_texts(edition)
    functions = grader_functions()
    assert sum(name.split(".")[1].startswith("ref_") for name, _ in functions) >= 15
    leaked = [
        (function, name)
        for function, body in functions
        for name, text in texts.items()
        if body in text or (function.split(".")[1].startswith("ref_") and function.split(".")[1] in text)
    ]
    assert leaked == []
    assert not (edition / "autograder").exists() and not (edition / "solutions").exists()
    assert [
        name for name, text in texts.items() if "from autograder" in text or "import autograder" in text
    ] == []
    assert "autograder" not in (edition / "pyproject.toml").read_text()


def test_a_planted_leak_is_found(edition, tmp_path):
    """The searches above find a solution block and a reference function wherever they are copied."""
    week, code = solution_blocks()[0]
    function, body = next(f for f in grader_functions() if f[0].split(".")[1].startswith("ref_"))
    (tmp_path / "notes.py").write_text(f"def f():\n    {code.splitlines()[0]}\n        {body}\n")
    texts = edition_texts(tmp_path)
    assert code.splitlines()[0] in texts["notes.py"] and body in texts["notes.py"]
    with pytest.raises(publish.PublishError, match="not empty"):
        publish.publish(edition)


@pytest.mark.parametrize("week", WEEKS)
def test_recorded_cases_are_the_visible_ones_whatever_the_grading_seed(week):
    """What the edition records is what the grader runs as visible cases at every grading."""
    recorded = dict(record.visible_tests(week))
    module = record.judges_module(week)
    for test in assignments.get(week).tests:
        draws = [notebook.cases(week, test.grade_id, seed=seed) for seed in (1, 2)]
        assert [c.what for c in recorded[test.grade_id]] == [c.what for c in draws[0]]
        encoded = [[record.case_data(case, module, paths.DATA) for case in cases] for cases in draws]
        assert encoded[0] == encoded[1], test.grade_id


# Student code for some visible tests, most of it wrong, in the ways the judges name.
STUDENT_CODE = {
    "week1": """
import numpy as np
def train_val_split(time, series, time_step=1100):
    return list(time[:time_step]), series[:time_step], time[time_step:], series[time_step:]
def compute_metrics(true, forecast):
    return float(np.mean(np.abs(true - forecast))), float(np.mean((true - forecast) ** 2))
def naive_forecast(series, split_time):
    return series[split_time:]
def moving_average_forecast(series, window_size):
    return np.array([series[t - window_size:t].mean() for t in range(window_size, len(series) + 1)])
def seasonal_difference(series, lag):
    raise ValueError("not yet")
diff_plus_past_forecast = 3
""",
    "week2": "windowed_dataset = None\nmodel = 'a model'\n",
    "week3": "def create_uncompiled_model(window_size=20):\n    return None\n",
    "week4": """
import numpy as np
def parse_data_from_file(filename):
    with open(filename) as file:
        rows = [line.split(",") for line in file.read().splitlines()]
    return np.array([row[0] for row in rows]), np.array([float(row[2]) for row in rows[1:]])
""",
    "week5": """
import numpy as np
def parse_data_from_file(filename):
    return np.zeros(12)
def fill_missing(values):
    return values[~np.isnan(values)]
def normalise(series, split_time):
    return (series - series.mean()) / series.std(), series.mean(), series.std()
""",
}

STUDENT_SIDE = """
import importlib.util, json, sys
sys.path[:0] = [sys.argv[1]]
sys.path.append(sys.argv[2])  # the environment's packages, without its .pth files: no editable grader
assert importlib.util.find_spec("autograder") is None, "the grader is importable"
import tscourse
from tscourse.checking import notebook, record
code = json.loads(sys.argv[3])
messages = {}
for week, tests in json.loads(sys.argv[4]).items():
    for grade_id in tests:
        namespace = {}
        exec(code[week], namespace)
        messages[f"{week} {grade_id}"] = notebook.judge(record.visible_cases(week, grade_id), namespace)[0]
print(json.dumps({"package": tscourse.__file__, "messages": messages}))
"""


def student_python(edition: Path, code: str, *args: str, cwd=None):
    """Python with only the edition and the environment's packages on its path (no editable installs)."""
    command = [sys.executable, "-S", "-c", code, str(edition), SITE, *args]
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment["MPLBACKEND"] = "Agg"
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd or edition, env=environment, timeout=600
    )


def test_visible_tests_give_the_graders_messages_without_the_grader(edition):
    tests = {week: [test.grade_id for test in assignments.get(week).tests] for week in WEEKS}
    done = student_python(edition, STUDENT_SIDE, json.dumps(STUDENT_CODE), json.dumps(tests))
    assert done.returncode == 0, done.stderr[-3000:]
    student = json.loads(done.stdout.splitlines()[-1])
    assert Path(student["package"]).is_relative_to(edition)
    for week, grade_ids in tests.items():
        for grade_id in grade_ids:
            namespace: dict = {}
            exec(STUDENT_CODE[week], namespace)
            grader = notebook.failures(week, grade_id, namespace)
            assert grader and student["messages"][f"{week} {grade_id}"] == grader, (week, grade_id)


CHECK = """
import runpy, sys
edition, site, *argv = sys.argv[1:]
sys.path[:0] = [edition]
sys.path.append(site)
sys.argv = ["tscourse", *argv]
runpy.run_module("tscourse", run_name="__main__", alter_sys=True)
"""


def checked(output: str) -> dict[str, list[str]]:
    """`check`'s messages by test: each "FAILED  name" line, then its indented messages."""
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        if line.startswith("FAILED  "):
            name = line.split()[1]
            found[name] = []
        elif line.startswith("    ") and found:
            found[name].append(line.strip())
    return found


def test_check_in_the_edition_gives_the_graders_messages_on_a_blank_release(edition, tmp_path):
    blank = edition / "notebooks" / "week1" / "assignment.ipynb"
    done = student_python(edition, CHECK, "check", "week1", str(blank.relative_to(edition)))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    grader = Grader(assignments.get("week1"), tmp_path, isolate=False, hidden=False, seed=0)
    result = grader.grade(paths.released_notebook("week1"), "blank")
    assert {name: " ".join(lines) for name, lines in checked(done.stdout).items()} == {
        test.name: test.message for test in result.tests
    }
    assert f"{len(result.tests)} of {len(result.tests)} tests failed" in done.stdout


def test_the_edition_ships_the_students_guide_its_readme_links(edition):
    assert "(docs/students.md)" in (edition / "README.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in (edition / "docs").iterdir()) == ["students.md"]  # no other guide
    shipped = (edition / publish.STUDENT_GUIDE).read_text(encoding="utf-8")
    assert shipped == (ROOT / publish.STUDENT_GUIDE).read_text(encoding="utf-8")


def test_publish_refuses_to_write_over_the_repository():
    with pytest.raises(publish.PublishError):
        publish.publish(ROOT / "book" / "edition")
    with pytest.raises(publish.PublishError):
        publish.publish(ROOT, force=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "old.txt").write_text("stale")
        publish.publish(Path(tmp), force=True)
        assert not (Path(tmp) / "old.txt").exists() and (Path(tmp) / "tscourse").is_dir()


def test_the_editions_package_is_the_students_alone(edition, tmp_path):
    """The edition's pyproject builds a wheel of `tscourse` with its data, releases and recorded tests."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        tmp_path,
    ]
    subprocess.run([*command, edition], check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [name for name in names if name.startswith("autograder")]
    for week in WEEKS:
        assert (
            f"tscourse/expected/{week}.json" in names
            and f"tscourse/notebooks/{week}/assignment.ipynb" in names
        )
    assert "tscourse/data/sunspots.csv" in names and "tscourse/checking/record.py" in names
