"""Due dates and late work: the policy's boundaries, the configuration file, the submission time."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ROOT

from autograder import late
from autograder.results import Result
from autograder.results import TestResult as Outcome

DUE = datetime(2026, 12, 8, 23, 0, tzinfo=UTC)
HOURLY = late.LatePolicy("per_hour", deduction=2.0, floor=0.5)


def result(points=(1.0, 2.0, 2.0, 1.0, 1.0, 1.0, 2.0, 2.0)):
    tests = [Outcome(f"t{n}", score, 2.0, "Passed.") for n, score in enumerate(points)]
    return Result("alice", "week1", sum(points), 16.0, tests)


@pytest.mark.parametrize(
    ("seconds", "penalty"),
    [(-3600, 0.0), (0, 0.0), (1, 2.0), (3600, 2.0), (3601, 4.0), (3 * 3600 + 1200, 6.0), (10 * 86400, 6.0)],
)
def test_per_hour_counts_started_hours_and_stops_at_the_floor(seconds, penalty):
    # 12 points earned: 2 per started hour, never below half of them (6 points)
    assert HOURLY.penalty(12.0, 16.0, seconds) == penalty


def test_per_day_share_of_the_maximum_zero_and_none():
    daily = late.LatePolicy.from_table({"policy": "per_day", "deduction": "10%"})
    assert daily.penalty(12.0, 16.0, 1) == pytest.approx(1.6)
    assert daily.penalty(12.0, 16.0, 86400 + 1) == pytest.approx(3.2)
    assert daily.penalty(1.0, 16.0, 86400 * 5) == 1.0  # never below zero
    assert late.LatePolicy("zero").penalty(12.0, 16.0, 1) == 12.0
    assert late.LatePolicy("zero").penalty(12.0, 16.0, 0) == 0.0
    assert late.LatePolicy("none").penalty(12.0, 16.0, 10**6) == 0.0


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[late]\npolicy = "per_week"', "late.policy must be one of"),
        ('[late]\npolicy = "per_hour"', "needs a positive late.deduction"),
        ('[late]\nfloor = "150%"', "late.floor must be between"),
        ("[due]\nweek1 = 2026-12-08T23:00:00", "needs a time zone"),
        ('[due]\nweek1 = "next friday"', "is not an ISO date"),
        ("[due\n", "is not valid TOML"),
        (
            '[due]\nweek1 = 2026-12-08T23:00:00Z\n[extensions.week1]\nalice = "48x"',
            "extensions.week1.alice = '48x' is not a duration",
        ),
        (
            '[due]\nweek1 = 2026-12-08T23:00:00Z\n[extensions.week1]\nalice = "1.5d"',
            "extensions.week1.alice = '1.5d' is not a duration",
        ),
        (
            '[due]\nweek1 = 2026-12-08T23:00:00Z\n[extensions.week1]\nalice = "h"',
            "extensions.week1.alice = 'h' is not a duration",
        ),
        (
            '[due]\nweek1 = 2026-12-08T23:00:00Z\n[extensions.week1]\nalice = "-2d"',
            "extensions.week1.alice = '-2d' is negative",
        ),
        (
            "[due]\nweek1 = 2026-12-08T23:00:00Z\n[extensions.week1]\nalice = 48",
            "extensions.week1.alice must be a duration",
        ),
        (
            '[due]\nweek1 = 2026-12-08T23:00:00Z\n[extensions.week2]\nalice = "2d"',
            "extensions.week2: week2 has no due date",
        ),
        (
            '[due]\nweek1 = 2026-12-08T23:00:00Z\n[extensions]\nweek1 = "2d"',
            "extensions.week1 must be a table of student",
        ),
        ('extensions = "alice 2d"', "[extensions] must hold a table per assignment"),
    ],
)
def test_a_wrong_configuration_says_what_to_fix(tmp_path, text, error):
    path = tmp_path / "grading.toml"
    path.write_text(text)
    with pytest.raises(late.ConfigError, match=re.escape(error)):
        late.GradingConfig.load(path)


def guide_config(tmp_path):
    """The grading.toml example the instructors' guide gives, as a file."""
    guide = (ROOT / "docs" / "instructors.md").read_text()
    block = re.search(r"```toml\n(.*?)```", guide, re.S)
    assert block, "the instructors' guide shows a grading.toml example"
    path = tmp_path / "grading.toml"
    path.write_text(block.group(1))
    return path


def test_the_guides_example_means_what_the_guide_says(tmp_path):
    config = late.GradingConfig.load(guide_config(tmp_path))
    assert config.due["week1"] == datetime(2026, 12, 8, 22, 59, tzinfo=UTC)  # 23:59 at +01:00
    assert config.due["week4"].tzinfo is not None
    assert config.extension("week1", "alice") == timedelta(hours=48)
    graded = result()  # 12 of 16 points, 3 h 20 min late
    graded.student = "bob"  # the example's extension is alice's
    late.apply(graded, config.due["week1"] + timedelta(hours=3, minutes=20), "timestamp.txt", config)
    assert (graded.raw_score, graded.late_penalty, graded.score) == (12.0, 6.0, 6.0)
    assert "3 h 20 min after the due date: −6 points (2 points per started hour late" in graded.late_note


def test_apply_is_repeatable_and_follows_a_changed_due_date():
    config = late.GradingConfig({"week1": DUE}, HOURLY)
    graded = result()
    assert late.apply(graded, DUE + timedelta(seconds=1), "timestamp.txt", config)
    assert (graded.score, graded.late_penalty) == (10.0, 2.0)
    assert "1 s after the due date: −2 points" in graded.late_note
    assert not late.apply(graded, DUE + timedelta(seconds=1), "timestamp.txt", config)  # nothing changed
    later = late.GradingConfig({"week1": DUE + timedelta(days=1)}, HOURLY)
    assert late.apply(graded, DUE + timedelta(seconds=1), "timestamp.txt", later)
    assert (graded.score, graded.late_penalty) == (12.0, 0.0) and graded.late_note.endswith("on time.")
    assert late.apply(graded, DUE, "timestamp.txt", late.GradingConfig())
    assert graded.late_note == "" and graded.score == 12.0 and graded.due_at == ""


def test_submission_time_from_nbgrader_timestamp_else_the_file(tmp_path):
    notebook = tmp_path / "assignment.ipynb"
    notebook.write_text("{}")
    os.utime(notebook, (1_700_000_000, 1_700_000_000))
    assert late.submission_time(notebook, tmp_path) == (
        datetime.fromtimestamp(1_700_000_000, UTC),
        "the notebook file's time",
    )
    (tmp_path / "timestamp.txt").write_text("2026-12-09 02:20:00.500000 UTC\n")  # as nbgrader writes it
    moment, source = late.submission_time(notebook, tmp_path)
    assert (moment, source) == (datetime(2026, 12, 9, 2, 20, 0, 500000, tzinfo=UTC), "timestamp.txt")
    (tmp_path / "timestamp.txt").write_text("2026-12-09T03:20:00+01:00")
    assert late.submission_time(notebook, tmp_path)[0] == datetime(2026, 12, 9, 2, 20, tzinfo=UTC)
    assert late.format_utc(moment) == "2026-12-09 02:20:00.500000 UTC"


@pytest.mark.parametrize(
    ("text", "extension"),
    [
        ("48h", timedelta(hours=48)),
        ("2d", timedelta(days=2)),
        ("90m", timedelta(minutes=90)),
        ("1d 12h", timedelta(days=1, hours=12)),
        (" 1 h 30 min ", timedelta(hours=1, minutes=30)),  # as grades.csv and the feedback write it
        ("0h", timedelta(0)),
    ],
)
def test_extension_syntax(text, extension):
    assert late.parse_extension(text, "extensions.week1.alice") == extension


def test_an_extension_moves_one_students_due_date():
    config = late.GradingConfig({"week1": DUE}, HOURLY, extensions={"week1": {"alice": timedelta(hours=2)}})
    assert config.extension("week1", "alice") == timedelta(hours=2)
    assert config.extension("week1", "bob") == config.extension("week2", "alice") == timedelta(0)
    on_time = result()  # 1 h 50 min after the class's due date: on time thanks to the extension
    assert late.apply(on_time, DUE + timedelta(hours=1, minutes=50), "timestamp.txt", config)
    assert (on_time.score, on_time.late_penalty, on_time.extension) == (12.0, 0.0, "2 h")
    assert on_time.due_at == "2026-12-09 01:00:00.000000 UTC"
    assert on_time.late_note == (
        "Submitted 2026-12-09 00:50:00.000000 UTC (from timestamp.txt); due 2026-12-09 01:00:00.000000 UTC "
        "(the class's due date 2026-12-08 23:00:00.000000 UTC with your extension of 2 h): on time."
    )
    still_late = result()  # 2 h 1 s after: 1 s after the extended due date, one started hour
    late.apply(still_late, DUE + timedelta(hours=2, seconds=1), "timestamp.txt", config)
    assert (still_late.score, still_late.late_penalty, still_late.seconds_late) == (10.0, 2.0, 1.0)
    assert "with your extension of 2 h): 1 s after the due date: −2 points" in still_late.late_note
    other = result()
    other.student = "bob"  # no extension: 2 h 1 s late, three started hours
    late.apply(other, DUE + timedelta(hours=2, seconds=1), "timestamp.txt", config)
    assert (other.late_penalty, other.extension, other.due_at) == (6.0, "", late.format_utc(DUE))


def test_a_changed_extension_is_applied_again():
    graded, submitted = result(), DUE + timedelta(hours=3)
    for extension, penalty in (({}, 6.0), ({"alice": timedelta(hours=2)}, 2.0), ({}, 6.0)):
        config = late.GradingConfig({"week1": DUE}, HOURLY, extensions={"week1": extension})
        assert late.apply(graded, submitted, "timestamp.txt", config)  # changed: the stored result is stale
        assert graded.late_penalty == penalty
        assert not late.apply(graded, submitted, "timestamp.txt", config)


def test_extensions_for_students_without_a_submission_are_named():
    config = late.GradingConfig(
        {"week1": DUE}, extensions={"week1": {"alice": timedelta(1), "alcie": timedelta(1)}}
    )
    assert config.unmatched_extensions("week1", ["alice", "bob"]) == ["extensions.week1.alcie"]
    assert config.unmatched_extensions("week2", ["alice"]) == []
