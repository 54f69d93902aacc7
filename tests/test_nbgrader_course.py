"""nbgrader's course directory: what `grade` writes is read by nbgrader's own API, formgrader (its
template and handlers' data, and formgrader itself, live), `export` and `release_feedback`; stock
`autograde` grades right."""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from conftest import grade_class, sandbox_or_skip
from test_cli import cli

from autograder import assignments, batch, gradebook, late, nbgrader_course, paths
from autograder.results import zero_result

DUE = datetime(2026, 12, 8, 22, 59, tzinfo=UTC)
POLICY = '[late]\npolicy = "per_hour"\ndeduction = 2\nfloor = "50%"\n'
EXCHANGE_COURSE = "sequences-time-series"


def nbgrader_api(root: Path, exchange: Path | None = None):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # alembic
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = EXCHANGE_COURSE
    config.Execute.timeout = 300
    if exchange is not None:
        config.Exchange.root = str(exchange)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def new_course(root: Path, weeks=("week1",)):
    """An nbgrader course whose source/ holds the assignments' authored notebooks, generated."""
    api = nbgrader_api(root)
    for week in weeks:
        (root / "source" / week).mkdir(parents=True)
        shutil.copy(paths.source_notebook(week), root / "source" / week / "assignment.ipynb")
        generated = api.generate_assignment(week)
        assert generated["success"], generated["log"]
    return api


def hand_in(root: Path, student: str, week: str, notebook: Path, when: datetime | None = None, secret=True):
    folder = root / "submitted" / student / week
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, folder / "assignment.ipynb")
    if when is not None:
        (folder / "timestamp.txt").write_text(late.format_utc(when))
    if secret:
        (folder / "submission_secret.txt").write_text(f"secret-of-{student}")
    return folder


def test_a_course_root_is_read_in_nbgrader_layout(tmp_path):
    root = tmp_path / "course"
    hand_in(root, "alice", "week1", paths.released_notebook("week1"), DUE - timedelta(minutes=5))
    hand_in(root, "bob", "week2", paths.released_notebook("week2"))  # no week1 from bob
    (root / "submitted" / ".ipynb_checkpoints").mkdir()
    assert nbgrader_course.is_course_root(root) and not nbgrader_course.is_course_root(root / "submitted")
    [alice] = batch.discover(root, "week1")
    assert (alice.student, alice.notebook) == ("alice", root / "submitted/alice/week1/assignment.ipynb")
    assert (alice.submitted_at, alice.time_source) == (DUE - timedelta(minutes=5), "timestamp.txt")

    layout = nbgrader_course.Layout.nbgrader(root)
    result = zero_result(assignments.get("week1"), "alice", "test")
    assert layout.gradebook == root / "gradebook.db" and layout.records == root / "graded"
    assert layout.autograded_path(result) == root / "autograded/alice/week1/assignment.ipynb"
    assert layout.feedback_path(result) == root / "feedback/alice/week1/assignment.html"

    notebook = root / "submitted/alice/week1/assignment.ipynb"
    assert nbgrader_course.course_root_of(notebook, "week1") == root
    assert nbgrader_course.course_root_of(notebook, "week2") is None
    assert [s.student for s in batch.discover(notebook, "week1")] == ["alice"]

    klass = tmp_path / "class"  # a plain class folder: timestamp.txt in a student's folder, else the file
    (klass / "carol").mkdir(parents=True)
    shutil.copy(paths.released_notebook("week1"), klass / "carol" / "assignment.ipynb")
    (klass / "carol" / "timestamp.txt").write_text("2026-12-09 01:00:00.000000 UTC")
    shutil.copy(paths.released_notebook("week1"), klass / "dave.ipynb")
    carol, dave = batch.discover(klass, "week1")
    assert carol.submitted_at == datetime(2026, 12, 9, 1, tzinfo=UTC) and carol.time_source == "timestamp.txt"
    assert dave.time_source == "the notebook file's time"


def grade(root: Path, config: late.GradingConfig):
    return grade_class(
        "week1", root, root / "graded", seed=1, layout=nbgrader_course.Layout.nbgrader(root), config=config
    )


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """week1 in an nbgrader course: a reference on time, the same 3 h 21 min late, nbgrader's blank."""
    sandbox_or_skip()
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    api = new_course(root)
    (root / "grading.toml").write_text(f"[due]\nweek1 = {DUE.isoformat()}\n\n{POLICY}")
    hand_in(root, "ontime", "week1", paths.source_notebook("week1"), DUE - timedelta(hours=1, seconds=30))
    hand_in(root, "late", "week1", paths.source_notebook("week1"), DUE + timedelta(hours=3, minutes=21))
    hand_in(root, "blank", "week1", root / "release/week1/assignment.ipynb", DUE - timedelta(days=1))
    results, summary = grade(root, late.find_config(None, root))
    assert summary.new == 3
    return root, api, {r.student: r for r in results}


def test_scores_late_penalty_and_files_where_nbgrader_looks(graded_course):
    root, api, results = graded_course
    assert {name: (r.raw_score, r.late_penalty, r.score) for name, r in results.items()} == {
        "ontime": (12.0, 0.0, 12.0),
        "late": (12.0, 6.0, 6.0),  # 4 started hours at 2 points, stopped by the 50% floor
        "blank": (0.0, 0.0, 0.0),
    }
    page = (root / "feedback/late/week1/assignment.html").read_text()
    assert "3 h 21 min after the due date: −6 points (2 points per started hour late" in page
    assert "12 from the tests, −6 late penalty" in page
    blank_page = (root / "feedback/blank/week1/assignment.html").read_text()
    for secret in ("run_tests", "hidden=True", "BEGIN HIDDEN", "def ref_"):
        assert secret not in blank_page
    for student in results:
        for folder in (root / "autograded" / student / "week1", root / "feedback" / student / "week1"):
            stamp = (folder / "timestamp.txt").read_text()
            assert stamp == (root / "submitted" / student / "week1" / "timestamp.txt").read_text()
            assert (folder / "submission_secret.txt").read_text() == f"secret-of-{student}"
    with open(root / "graded/week1/grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert (rows["late"]["late_penalty"], rows["late"]["total"]) == ("6.0", "6.0")
    assert rows["late"]["submitted_at"] == "2026-12-09 02:20:00.000000 UTC"

    # nbgrader's API sees every submission as autograded, with our scores
    assert api.get_autograded_students("week1") == {"ontime", "late", "blank"}
    scores = {s["student"]: s["score"] for s in api.get_notebook_submissions("week1", "assignment")}
    assert scores == {"ontime": 12.0, "late": 12.0, "blank": 0.0}  # nbgrader's raw score; penalty apart
    assert len(api.get_notebook_submission_indices("week1", "assignment")) == 3


def test_formgrader_shows_each_submission_and_reads_our_grades(graded_course):
    from nbconvert.exporters import HTMLExporter
    from nbgrader.api import Gradebook
    from nbgrader.server_extensions.formgrader import handlers
    from nbgrader.utils import determine_grade, is_grade

    root, _, results = graded_course
    tests = [test.grade_id for test in assignments.get("week1").tests]
    exercises = gradebook.exercise_ids("week1")
    exporter = HTMLExporter(template_name="formgrade", extra_template_basedirs=[handlers.template_path])
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as book:
        for student, result in results.items():
            notebook = book.find_submission_notebook("assignment", "week1", student)
            # what formgrader's /api/grades and /api/comments handlers send for this submission
            assert sorted(g.to_dict()["name"] for g in notebook.grades) == sorted(tests)
            assert sorted(c.to_dict()["name"] for c in notebook.comments) == sorted(exercises)
            path = root / "autograded" / student / "week1" / "assignment.ipynb"
            html, _ = exporter.from_filename(str(path), resources={"base_url": "", "index": 0, "total": 3})
            for grade_id in tests:
                assert f'id="{grade_id}"' in html  # the score box formgrader fills from /api/grades
            for grade_id in exercises:
                assert f'id="{grade_id}-comment"' in html
            # nbgrader reads the same scores from the autograded notebook's test cell outputs
            cells = nbformat.read(path, as_version=4).cells
            read = {c.metadata.nbgrader["grade_id"]: determine_grade(c)[0] for c in cells if is_grade(c)}
            assert read == {test.name: test.score for test in result.tests}


NBGRADER_CONFIG = f"""c = get_config()
c.CourseDirectory.course_id = "{EXCHANGE_COURSE}"
c.CourseDirectory.root = "."
"""  # the recipe of docs/instructors.md


class Browser:
    """An instructor's browser on a Jupyter server: logged in once with the token, then only the
    login and `_xsrf` cookies, the xsrf header on a PUT, as formgrader's pages send them."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, method="GET", body=None) -> str:
        headers = {}
        if method != "GET":
            headers["X-CSRFToken"] = next(c.value for c in self.cookies if c.name == "_xsrf")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with self.opener.open(request, timeout=60) as response:
            assert response.status == 200 and "/login" not in response.url, (path, response.url)
            return response.read().decode()

    def api(self, path: str, method="GET", body=None):
        return json.loads(self.open(f"/formgrader/api/{path}", method, body))


def wait_for_server(process, runtime: Path, log: Path, timeout=90) -> str:
    """The URL of the Jupyter server `process` once it answers (its runtime file gives the port)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:  # the file appears before it is complete, the port before it answers
            url = json.loads((runtime / f"jpserver-{process.pid}.json").read_text())["url"]
            with urllib.request.urlopen(f"{url}api", timeout=5):
                return url
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"no Jupyter server after {timeout} s:\n{log.read_text()}")


@pytest.fixture
def formgrader(graded_course, tmp_path):
    """A Jupyter server with nbgrader's formgrader on the graded course, configured by the
    course's nbgrader_config.py, and a browser logged in to it."""
    root = graded_course[0]
    (root / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_NO_CONFIG": "1",  # no user or environment config: formgrader alone, enabled below
        "TMPDIR": str(tmp_path),  # where that blank config goes
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "HOME": str(tmp_path / "home"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",  # a free one, read back from the runtime file
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",  # CI containers run as root
    ]
    log = tmp_path / "server.log"
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        browser = Browser(wait_for_server(process, tmp_path / "runtime", log))
        browser.open(f"/formgrader/?token={token}")  # the login cookie's path is /formgrader
        browser.open("/formgrader/manage_submissions/week1/")
        yield browser
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_formgrader_live_shows_our_grades_and_keeps_the_instructors_work(graded_course, formgrader):
    """Formgrader itself, served by Jupyter, on the course `grade` wrote: the submissions with our
    scores, each notebook's page, a manual score and a comment that a re-grade keeps. Undone at
    the end, as an instructor clears a score, so the tests after it see the course as graded."""
    root, _, results = graded_course
    listed = {s["student"]: s for s in formgrader.api("submissions/week1")}  # Manage Submissions
    assert {student: (s["score"], s["max_score"], s["autograded"]) for student, s in listed.items()} == {
        student: (r.raw_score, r.max_score, True) for student, r in results.items()
    }  # formgrader shows scores before the late penalty; the notebook's first cell states it
    handed_in = DUE + timedelta(hours=3, minutes=21)  # the late one's timestamp.txt
    assert listed["late"]["display_timestamp"] == handed_in.strftime("%Y-%m-%d %H:%M:%S UTC")

    notebooks = {s["student"]: s["id"] for s in formgrader.api("submitted_notebooks/week1/assignment")}
    late_page = formgrader.open(f"/formgrader/submissions/{notebooks['late']}/")
    late_one = results["late"]
    assert (
        f"{late_one.score:g} / {late_one.max_score:g} points" in late_page and late_one.late_note in late_page
    )
    blank = notebooks["blank"]
    page = formgrader.open(f"/formgrader/submissions/{blank}/")  # the page the instructor grades on
    for test in assignments.get("week1").tests:
        assert f'<input class="score tabbable" id="{test.grade_id}"' in page
    assert 'id="moving_average_forecast-comment"' in page

    grades = {g["name"]: g for g in formgrader.api(f"grades?submission_id={blank}")}
    comments = {c["name"]: c for c in formgrader.api(f"comments?submission_id={blank}")}
    score, comment = grades["test_moving_average_forecast"], comments["moving_average_forecast"]
    assert (score["auto_score"], score["max_score"], score["manual_score"]) == (0.0, 2.0, None)
    # as formgrade.js saves a score box (its text) and a comment box: the whole model, PUT
    saved = formgrader.api(f"grade/{score['id']}", "PUT", {**score, "manual_score": "1.5"})
    assert saved["manual_score"] == 1.5
    said = "Right idea; the window is one day short."
    formgrader.api(f"comment/{comment['id']}", "PUT", {**comment, "manual_comment": said})

    _, summary = grade(root, late.find_config(None, root))  # as `python -m autograder grade week1`
    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 3)
    again = formgrader.api(f"grade/{score['id']}")
    assert (again["auto_score"], again["manual_score"], again["needs_manual_grade"]) == (0.0, 1.5, True)
    assert formgrader.api(f"comment/{comment['id']}")["manual_comment"] == said
    listed = {s["student"]: s for s in formgrader.api("submissions/week1")}
    assert (listed["blank"]["score"], listed["blank"]["needs_manual_grade"]) == (
        results["blank"].raw_score + 1.5,
        True,
    )
    assert listed["late"]["score"] == results["late"].raw_score

    formgrader.api(f"grade/{again['id']}", "PUT", {**again, "manual_score": None})
    formgrader.api(f"comment/{comment['id']}", "PUT", {**comment, "manual_comment": None})
    assert formgrader.api("submission/week1/blank")["score"] == results["blank"].raw_score


def test_export_and_regrade_keep_the_instructors_work(graded_course):
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    root, api, _ = graded_course
    url = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(url) as book:  # the instructor, in formgrader
        book.find_grade("test_naive_forecast", "assignment", "week1", "blank").manual_score = 1.0
        book.find_comment(
            "naive_forecast", "assignment", "week1", "blank"
        ).manual_comment = "Close: see slide 4."
        book.db.commit()
    changed = nbformat.read(root / "submitted/late/week1/assignment.ipynb", as_version=4)
    changed.cells.append(nbformat.v4.new_code_cell("print('one more cell')"))
    nbformat.write(changed, root / "submitted/late/week1/assignment.ipynb")
    earlier = late.GradingConfig({"week1": DUE - timedelta(hours=2)}, late.find_config(None, root).late)
    results, summary = grade(root, earlier)  # the changed one graded again, due date moved earlier
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 2)
    by_student = {r.student: r for r in results}
    assert by_student["ontime"].late_penalty == 2.0  # now 59 min 30 s late: re-applied without re-running

    with Gradebook(url) as book:
        grade_cell = book.find_grade("test_naive_forecast", "assignment", "week1", "blank")
        assert (grade_cell.manual_score, grade_cell.auto_score, grade_cell.needs_manual_grade) == (
            1.0,
            0.0,
            True,
        )
        comment = book.find_comment("naive_forecast", "assignment", "week1", "blank")
        assert comment.manual_comment == "Close: see slide 4."
        CsvExportPlugin(to=str(root / "export.csv")).export(book)
    with open(root / "export.csv", newline="") as handle:
        exported = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert {
        s: (float(r["raw_score"]), float(r["late_submission_penalty"]), float(r["score"]))
        for s, r in exported.items()
    } == {
        "ontime": (12.0, 2.0, 10.0),
        "late": (12.0, 6.0, 6.0),
        "blank": (1.0, 0.0, 1.0),  # the manual score counts
    }
    assert exported["late"]["duedate"] == "2026-12-08 20:59:00"
    with open(root / "graded/week1/grades.csv", newline="") as handle:
        assert {row["student"]: row["total"] for row in csv.DictReader(handle)}["blank"] == "1.0"


def test_release_feedback_delivers_our_pages(graded_course, tmp_path):
    root, _, _ = graded_course
    (tmp_path / "exchange").mkdir()
    api = nbgrader_api(root, exchange=tmp_path / "exchange")
    released = api.release_feedback("week1")
    assert released["success"], released["log"]
    pages = sorted((tmp_path / "exchange" / EXCHANGE_COURSE / "feedback").glob("*.html"))
    ours = sorted((root / "feedback").glob("*/week1/assignment.html"))
    assert sorted(p.read_bytes() for p in pages) == sorted(p.read_bytes() for p in ours) and len(pages) == 3
    # nbgrader's own generate_feedback renders our autograded notebook: its penalty, no hidden tests
    generated = api.generate_feedback("week1", "late")
    assert generated["success"], generated["log"]
    page = (root / "feedback/late/week1/assignment.html").read_text()
    assert "Late submission penalty (Score: -6.0)" in page and "hidden=True" not in page


def test_a_changed_extension_is_applied_again_and_nbgrader_agrees(graded_course):
    """An extension edited in grading.toml re-applies the penalty to the stored results (nothing
    runs again); nbgrader counts lateness from the same extended due date and exports the same
    penalty."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    root, _, _ = graded_course
    config = f"[due]\nweek1 = {DUE.isoformat()}\n\n{POLICY}\n[extensions.week1]\n"
    # "late" handed in 3 h 21 min after the class's due date
    for extension, penalty, seconds_late in (("2h", 4.0, 4860.0), ("4h", 0.0, 0.0), (None, 6.0, 12060.0)):
        (root / "grading.toml").write_text(config + (f'late = "{extension}"\n' if extension else ""))
        results, summary = grade(root, late.find_config(None, root))
        assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 3)
        result = {r.student: r for r in results}["late"]
        assert (result.late_penalty, result.seconds_late) == (penalty, seconds_late)
        granted = late.parse_extension(extension or "0h", "")
        with open(root / "graded/week1/grades.csv", newline="") as handle:
            row = {row["student"]: row for row in csv.DictReader(handle)}["late"]
        assert (row["late_penalty"], row["extension"]) == (str(penalty), result.extension)
        assert row["due_at"] == late.format_utc(DUE + granted)
        page = (root / "feedback/late/week1/assignment.html").read_text()
        assert (f"with your extension of {result.extension})" in page) == bool(extension)
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as book:
            submission = book.find_submission("week1", "late")
            assert submission.extension == (granted or None)
            assert submission.duedate.replace(tzinfo=UTC) == DUE + granted
            assert submission.total_seconds_late == seconds_late  # nbgrader's own lateness
            assert book.find_submission("week1", "ontime").extension is None
            CsvExportPlugin(to=str(root / "export.csv")).export(book)
        with open(root / "export.csv", newline="") as handle:
            exported = {row["student_id"]: row for row in csv.DictReader(handle)}["late"]
        assert (float(exported["late_submission_penalty"]), float(exported["score"])) == (
            penalty,
            12 - penalty,
        )


def stock_autograde(api, root: Path, week: str, student: str, notebook: Path):
    hand_in(root, student, week, notebook, secret=False)
    graded = api.autograde(week, student)
    assert graded["success"], graded["log"]
    with nbgrader_gradebook(root) as book:
        submission = book.find_submission(week, student)
        return submission.score, submission.max_score


def nbgrader_gradebook(root):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


ALL_WEEKS = os.environ.get("AUTOGRADER_STOCK_ALL_WEEKS") == "1"


def test_stock_nbgrader_generates_every_week_with_our_tests_and_points(tmp_path):
    """nbgrader's generate_assignment accepts every week's source and records the same test cells
    and points as the grader, so its gradebook and ours agree on what each submission is out of."""
    root = tmp_path / "course"
    new_course(root, assignments.available())
    with nbgrader_gradebook(root) as book:
        for week in assignments.available():
            cells = {c.name: c.max_score for c in book.find_notebook("assignment", week).grade_cells}
            assert cells == {t.grade_id: float(t.points) for t in assignments.get(week).tests}, week


@pytest.mark.slow
@pytest.mark.parametrize(
    "week",
    [
        "week1",
        *[
            pytest.param(w, marks=pytest.mark.skipif(not ALL_WEEKS, reason="AUTOGRADER_STOCK_ALL_WEEKS=1"))
            for w in ("week2", "week3", "week4", "week5")
        ],
    ],
)
def test_stock_autograde_gives_the_reference_full_marks_and_the_blank_zero(tmp_path, week):
    """nbgrader's own autograde (no sandbox) on our assignments: every reference full marks, every
    blank release zero. week1 always; every week with AUTOGRADER_STOCK_ALL_WEEKS=1 (each trains)."""
    root = tmp_path / "course"
    api = new_course(root, [week])
    score, max_score = stock_autograde(api, root, week, "reference", paths.source_notebook(week))
    assert score == max_score == assignments.get(week).max_score
    blank = stock_autograde(api, root, week, "blank", root / "release" / week / "assignment.ipynb")
    assert blank == (0.0, max_score)
    assert json.loads((root / "autograded/reference" / week / "assignment.ipynb").read_text())["cells"]


def test_the_command_line_grades_a_notebook_of_a_course_with_its_config(tmp_path):
    root = tmp_path / "course"
    folder = hand_in(root, "alice", "week1", paths.source_notebook("week1"), DUE + timedelta(seconds=1))
    (root / "grading.toml").write_text('[late]\npolicy = "per_week"\n')
    wrong = cli("grade", "week1", root)
    assert wrong.returncode == 2 and "late.policy must be one of" in wrong.stderr
    (root / "grading.toml").write_text(f"[due]\nweek1 = {DUE.isoformat()}\n\n{POLICY}")
    sandbox_or_skip()
    graded = cli("grade", "week1", folder / "assignment.ipynb", "--json", "--seed", "1")
    assert graded.returncode == 0, graded.stderr
    [line] = [json.loads(text) for text in graded.stdout.splitlines()]
    assert (line["student"], line["score"], line["late_penalty"]) == ("alice", 10.0, 2.0)
    assert line["submitted_at"] == "2026-12-08 22:59:01.000000 UTC"
    assert (root / "autograded/alice/week1/assignment.ipynb").is_file()
    assert (root / "feedback/alice/week1/assignment.html").is_file()
    assert (root / "graded/week1/results/alice.json").is_file() and (root / "gradebook.db").is_file()
