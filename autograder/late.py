"""Due dates and late work: one configuration file, a late policy, and the submission time.

The configuration (`grading.toml`) gives each assignment its due date and the class one policy:

    [due]
    week1 = 2026-12-08T23:59:00+01:00     # TOML date-time with its time zone (or the same as a string)

    [late]
    policy = "per_hour"    # "none", "zero", "per_hour" or "per_day"
    deduction = 2          # per started hour (day): points, or a share of the maximum: "10%"
    floor = "50%"          # a late submission keeps at least this share of the points it earned

    [extensions.week1]     # per student, for an assignment with a due date: its due date moves later
    alice = "48h"          # whole days "d", hours "h" and minutes "m": "2d", "90m", "1d 12h"

A submission's time is nbgrader's `timestamp.txt` beside it (read as nbgrader reads it), or the
notebook file's modification time where there is none. The penalty is applied after grading,
so a changed due date, policy or timestamp changes it without running the notebook again.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

CONFIG_NAME = "grading.toml"
TIMESTAMP_NAME = "timestamp.txt"
POLICIES = ("none", "zero", "per_hour", "per_day")
UNIT_SECONDS = {"per_hour": 3600, "per_day": 86400}
EXTENSION = re.compile(r"(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?")
EXTENSION_SYNTAX = 'whole days "d", hours "h" and minutes "m" in quotes, e.g. "48h", "2d", "90m" or "1d 12h"'


class ConfigError(ValueError):
    """The grading configuration cannot be used; the message says what to fix."""


def _share(value, what: str) -> tuple[float, bool]:
    """A number, or "N%" as (N / 100, True); anything else is a ConfigError."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100, True
        except ValueError:
            raise ConfigError(
                f"{what} must be a number or a percentage such as '10%', not {value!r}"
            ) from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), False
    raise ConfigError(f"{what} must be a number or a percentage such as '10%', not {value!r}")


@dataclass(frozen=True)
class LatePolicy:
    """What a late submission loses: nothing, everything, or a deduction per started hour or day."""

    policy: str = "none"
    deduction: float = 0.0  # points per unit, or a share of the maximum when `relative`
    relative: bool = False
    floor: float = 0.0  # share of the earned points a late submission always keeps

    @classmethod
    def from_table(cls, table: dict) -> LatePolicy:
        policy = table.get("policy", "none")
        if policy not in POLICIES:
            raise ConfigError(f"late.policy must be one of {', '.join(POLICIES)}, not {policy!r}")
        deduction, relative = _share(table.get("deduction", 0), "late.deduction")
        floor, _ = _share(table.get("floor", 0), "late.floor")
        if policy in UNIT_SECONDS and deduction <= 0:
            raise ConfigError(f"late.policy = {policy!r} needs a positive late.deduction")
        if not 0 <= floor <= 1:
            raise ConfigError(f"late.floor must be between 0 and 100%, not {table.get('floor')!r}")
        return cls(policy, deduction, relative, floor)

    def penalty(self, score: float, max_score: float, seconds_late: float) -> float:
        """Points taken from `score` for a submission `seconds_late` after the due date."""
        if seconds_late <= 0 or self.policy == "none" or score <= 0:
            return 0.0
        if self.policy == "zero":
            return float(score)
        units = math.ceil(seconds_late / UNIT_SECONDS[self.policy])
        per_unit = self.deduction * max_score if self.relative else self.deduction
        return round(min(units * per_unit, (1 - self.floor) * score, score), 6)

    def describe(self) -> str:
        """The policy in words, for the feedback."""
        if self.policy == "zero":
            return "a late submission scores zero"
        unit = "hour" if self.policy == "per_hour" else "day"
        amount = f"{self.deduction:.0%} of the maximum" if self.relative else f"{self.deduction:g} points"
        floor = f"; a late submission keeps at least {self.floor:.0%} of its points" if self.floor else ""
        return f"{amount} per started {unit} late{floor}"


def _due(value, assignment: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"due.{assignment} is not an ISO date and time: {value!r}") from None
    if not isinstance(value, datetime):
        raise ConfigError(f"due.{assignment} must be a date and time with its time zone, not {value!r}")
    if value.tzinfo is None:
        raise ConfigError(f"due.{assignment} needs a time zone, e.g. {value.isoformat()}+00:00")
    return value.astimezone(UTC)


def parse_extension(value, key: str) -> timedelta:
    """An extension as written in the configuration ("48h", "2d", "90m", "1d 12h"); `key` names it
    in the error."""
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a duration: {EXTENSION_SYNTAX}; not {value!r}")
    text = value.strip()
    if text.startswith("-"):
        raise ConfigError(f"{key} = {value!r} is negative: an extension can only move a due date later")
    match = EXTENSION.fullmatch(text)
    if not text or match is None:
        raise ConfigError(f"{key} = {value!r} is not a duration: use {EXTENSION_SYNTAX}")
    days, hours, minutes = (int(number or 0) for number in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _extensions(table, due: dict[str, datetime]) -> dict[str, dict[str, timedelta]]:
    if not isinstance(table, dict):
        raise ConfigError(
            '[extensions] must hold a table per assignment: [extensions.week1] with alice = "48h"'
        )
    found = {}
    for assignment, students in table.items():
        key = f"extensions.{assignment}"
        if not isinstance(students, dict):
            raise ConfigError(f'{key} must be a table of student = duration: [{key}] with alice = "48h"')
        if assignment not in due:
            raise ConfigError(f"{key}: {assignment} has no due date in [due], so there is nothing to extend")
        found[assignment] = {
            student: parse_extension(value, f"{key}.{student}") for student, value in students.items()
        }
    return found


@dataclass(frozen=True)
class GradingConfig:
    """Due dates by assignment, the late policy and extensions by assignment and student; empty
    means no due dates."""

    due: dict[str, datetime] = field(default_factory=dict)
    late: LatePolicy = LatePolicy()
    source: str = ""
    extensions: dict[str, dict[str, timedelta]] = field(default_factory=dict)

    def extension(self, assignment: str, student: str) -> timedelta:
        """The student's extension for the assignment (zero when none was granted, or the assignment
        has no due date)."""
        if assignment not in self.due:
            return timedelta(0)
        return self.extensions.get(assignment, {}).get(student, timedelta(0))

    def unmatched_extensions(self, assignment: str, students) -> list[str]:
        """The keys (`extensions.week1.alice`) of the assignment's extensions for students not among
        `students`: a misspelt name, or a student who has not handed in yet."""
        known = set(students)
        granted = self.extensions.get(assignment, {})
        return [f"extensions.{assignment}.{student}" for student in granted if student not in known]

    @classmethod
    def load(cls, path: Path) -> GradingConfig:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
        due = data.get("due", {})
        if not isinstance(due, dict):
            raise ConfigError("[due] must be a table of assignment = date and time")
        late = data.get("late", {})
        if not isinstance(late, dict):
            raise ConfigError("[late] must be a table")
        due = {name: _due(value, name) for name, value in due.items()}
        extensions = _extensions(data.get("extensions", {}), due)
        return cls(due, LatePolicy.from_table(late), str(path), extensions)


def find_config(explicit: str | None, graded_path: Path) -> GradingConfig:
    """The configuration named on the command line, else `grading.toml` in the graded folder (or
    beside the graded notebook), else in the current folder, else none."""
    if explicit:
        return GradingConfig.load(Path(explicit))
    folder = graded_path if graded_path.is_dir() else graded_path.parent
    for candidate in (folder / CONFIG_NAME, Path.cwd() / CONFIG_NAME):
        if candidate.is_file():
            return GradingConfig.load(candidate)
    return GradingConfig()


def submission_time(notebook: Path | None, folder: Path | None) -> tuple[datetime | None, str]:
    """When a submission was handed in, and from where that is known.

    nbgrader's `timestamp.txt` in `folder` (the submission's own folder) first, then the
    notebook's modification time.
    """
    from nbgrader.utils import parse_utc  # nbgrader's own reading; grading needs nbgrader anyway

    stamp = folder / TIMESTAMP_NAME if folder is not None else None
    if stamp is not None and stamp.is_file():
        try:
            text = stamp.read_text(encoding="utf-8").strip()
            if text:
                return parse_utc(text).replace(tzinfo=UTC), TIMESTAMP_NAME
        except (OSError, ValueError, UnicodeDecodeError, OverflowError):
            pass
    if notebook is not None:
        try:
            return datetime.fromtimestamp(notebook.stat().st_mtime, UTC), "the notebook file's time"
        except OSError:
            pass
    return None, ""


def format_utc(moment: datetime) -> str:
    """A time the way nbgrader writes `timestamp.txt`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def duration(seconds: float) -> str:
    """'2 d 3 h 20 min', '45 s': how late, in words a student reads at a glance."""
    seconds = max(0, math.ceil(seconds))
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    parts = ((days, "d"), (hours, "h"), (rest // 60, "min"))
    return " ".join(f"{number} {unit}" for number, unit in parts if number)


def _state(result) -> tuple:
    return (
        result.score,
        result.late_penalty,
        result.submitted_at,
        result.due_at,
        result.extension,
        result.late_note,
    )


def apply(result, submitted: datetime | None, source: str, config: GradingConfig) -> bool:
    """Set `result`'s time, due date (the assignment's, plus the student's extension), lateness and
    penalty from `config`; its score becomes the tests' points less the penalty. Return whether
    anything changed (then the stored result is out of date)."""
    before = _state(result)
    raw = result.raw_score
    class_due = config.due.get(result.assignment)
    extension = config.extension(result.assignment, result.student)
    due = class_due + extension if class_due else None
    result.submitted_at = format_utc(submitted) if submitted else ""
    result.due_at = format_utc(due) if due else ""
    result.extension = duration(extension.total_seconds()) if extension else ""
    result.seconds_late = max(0.0, (submitted - due).total_seconds()) if submitted and due else 0.0
    result.late_penalty = config.late.penalty(raw, result.max_score, result.seconds_late)
    result.score = round(raw - result.late_penalty, 6)
    result.late_note = _note(result, source, config.late, class_due)
    return before != _state(result)


def _note(result, source: str, policy: LatePolicy, class_due: datetime | None) -> str:
    if not result.due_at:
        return ""
    due = result.due_at
    if result.extension:
        due += f" (the class's due date {format_utc(class_due)} with your extension of {result.extension})"
    when = f"Submitted {result.submitted_at} (from {source}); due {due}"
    if not result.submitted_at:
        return f"No submission time is known; due {due}: no late penalty applied."
    if result.seconds_late <= 0:
        return f"{when}: on time."
    late = f"{when}: {duration(result.seconds_late)} after the due date"
    if policy.policy == "none":
        return f"{late}; no late penalty."
    return f"{late}: −{result.late_penalty:g} points ({policy.describe()})."
