"""Reporting: the console table, JSON lines and the per-student feedback page."""

from __future__ import annotations

import html
import json

from .results import Result


def table(result: Result) -> str:
    """A plain-text table of one submission's tests, points and messages."""
    width = max([len(test.name) for test in result.tests] + [4])
    lines = [f"{result.student} · {result.assignment}: {result.score:g} / {result.max_score:g} points"]
    lines.append(f"  {'test':<{width}}  {'points':>7}  message")
    for test in result.tests:
        points = f"{test.score:g}/{test.max_score:g}"
        lines.append(f"  {test.name:<{width}}  {points:>7}  {test.message}")
    for note in ([result.late_note] if result.late_note else []) + result.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def json_line(result: Result) -> str:
    """The JSON object for one submission (the documented fields first)."""
    data = {
        "student": result.student,
        "assignment": result.assignment,
        "score": result.score,
        "max_score": result.max_score,
        "tests": [
            {"name": t.name, "score": t.score, "max_score": t.max_score, "message": t.message}
            for t in result.tests
        ],
        "notes": result.notes,
        "submitted_at": result.submitted_at or None,
        "due_at": result.due_at or None,
        "late_penalty": result.late_penalty,
        "extension": result.extension or None,
    }
    return json.dumps(data)


def feedback_html(result: Result, title: str) -> str:
    """A self-contained page: the score, each test's outcome and message, and the notes.

    It names tests and shows their messages; the tests' code, hidden cases included, is not
    shown.
    """
    rows = "\n".join(
        f'<tr class="{"pass" if t.score == t.max_score else "fail"}"><td>{html.escape(t.name)}</td>'
        f"<td>{t.score:g} / {t.max_score:g}</td><td>{html.escape(t.message)}</td></tr>"
        for t in result.tests
    )
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in result.notes)
    notes_block = f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""
    late = f'<p class="late">{html.escape(result.late_note)}</p>' if result.late_note else ""
    points = f"{result.score:g} / {result.max_score:g}"
    if result.late_penalty:
        points += f" ({result.raw_score:g} from the tests, −{result.late_penalty:g} late penalty)"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}: feedback for {html.escape(result.student)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #ccc; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
tr.pass td:nth-child(2) {{ color: #1a7f37; }} tr.fail td:nth-child(2) {{ color: #cf222e; font-weight: bold; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Student: <strong>{html.escape(result.student)}</strong> · Score:
<strong>{points}</strong></p>
{late}
<table><thead><tr><th>Test</th><th>Points</th><th>Result</th></tr></thead><tbody>
{rows}
</tbody></table>
{notes_block}
<p>Messages marked [hidden] come from hidden tests: the same functions checked on other inputs.</p>
</body></html>
"""
