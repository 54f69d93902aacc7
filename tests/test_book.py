"""The book: every page is in the table of contents, and the site builds with warnings as errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from autograder import publish


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
    return files


def resolve(entry):
    for suffix in (".md", ".ipynb"):
        if (ROOT / f"{entry}{suffix}").exists():
            return ROOT / f"{entry}{suffix}"
    return None


def test_every_toc_entry_exists():
    assert [entry for entry in toc_files() if resolve(entry) is None] == []


def test_every_page_and_lab_is_in_the_toc():
    listed = {resolve(entry) for entry in toc_files()}
    pages = set((ROOT / "book").rglob("*.md")) | set((ROOT / "notebooks").rglob("lab*.ipynb"))
    assert sorted(str(p.relative_to(ROOT)) for p in pages - listed) == []


# A measurement in prose is a number followed (or preceded) by one of these. Numbers inside glue roles, inline
# code, maths and fenced code blocks are not prose and are removed before the search.
MEASUREMENTS = {
    "error metric": re.compile(r"\b(MAE|MSE|RMSE|MAPE)\b[^.\n]{0,25}?(?<![\w.])\d+(\.\d+)?"),
    "percentage": re.compile(r"(?<![\w.])\d+(\.\d+)?\s?(%|per ?cent\b)"),
    "duration": re.compile(r"(?<![\w.])\d+(\.\d+)?(\s(ms|s|h)|\s?(secs?|seconds?|mins?|minutes?|hours?))\b"),
    "ratio": re.compile(
        r"(?<![\w.])\d+(\.\d+)?\s?(×|x|times)\s+(faster|slower|as|more|fewer|less|larger|smaller)\b"
    ),
    "parameter count": re.compile(
        r"(?<![\w.])\d[\d,]*(\.\d+)?\s?k?\s+(trainable\s+)?(parameters|params|weights)\b"
    ),
}
# Settings, not measurements: a line that states a bar or a budget may quote its number.
SETTINGS = ("at most", "≤", "<=", "threshold", "budget", "time limit")
NOT_PROSE = [
    re.compile(r"\{glue(:\w+)?\}`[^`]*`"),  # glued values
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"\$[^$]*\$"),  # inline maths
    re.compile(r"\b(Week|Lab|Question|Exercise)\s+\d+"),  # names of parts of the course
]
# Hypothetical numbers in quiz questions and examples: illustrations, not results. Keep this list short.
ILLUSTRATIONS = (
    "revenue grows by roughly 5 % each year",
    "70 % of the previous one",
    "take a random 20 % for validation",
    "growing by about 5 %",
)


def unglued_claims(text: str) -> list[tuple[int, str, str]]:
    """(line number, kind, line) for each line of markdown that quotes a measurement not glued from a notebook."""
    found = []
    in_code = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~", "$$")):
            in_code = not in_code
            continue
        if in_code or any(setting in line for setting in SETTINGS):
            continue
        prose = line
        for phrase in ILLUSTRATIONS:
            prose = prose.replace(phrase, " ")
        for pattern in NOT_PROSE:
            prose = pattern.sub(" ", prose)
        for kind, pattern in MEASUREMENTS.items():
            if pattern.search(prose):
                found.append((number, kind, line.strip()))
                break
    return found


@pytest.mark.parametrize(
    "claim",
    [
        "The LSTM reaches an MAE of 3.7 on the validation period.",
        "The network beats the linear model by 12 % here.",
        "Training takes about 20 seconds on a laptop.",
        "Each run took 74 s.",
        "The stacked model trains 3 times slower.",
        "It has 68,000 parameters.",
        "A model with 68k parameters wins.",
        "Its MSE is 25 on average.",
    ],
)
def test_prose_checker_flags_a_planted_unglued_claim(claim):
    assert unglued_claims(f"Some text.\n{claim}\n") != []


@pytest.mark.parametrize(
    "line",
    [
        "The model reaches an MAE of {glue:text}`w4_mae:.2f`, in {glue:text}`w4_seconds:.0f` s.",
        "To pass, the validation MAE must be at most 15.3.",
        "We use a window of 30 months and `Dense(10)` layers, $n - k + 1$ outputs.",
        "The solar cycle lasts about 11 years.",
    ],
)
def test_prose_checker_allows_glued_values_and_settings(line):
    assert unglued_claims(line) == []


def test_prose_quotes_no_unglued_measurements():
    """Measured results (errors, percentages, times, speed ratios, parameter counts) come from notebooks via glue.

    Thresholds and budgets are settings, not measurements, so lines that state a bar are allowed.
    """
    offenders = []
    for page in sorted((ROOT / "book").rglob("*.md")) + [ROOT / "README.md"]:
        for number, kind, line in unglued_claims(page.read_text(encoding="utf-8")):
            offenders.append(f"{page.relative_to(ROOT)}:{number}: {kind}: {line}")
    assert offenders == []


def book_tree(target: Path, executed_labs: dict) -> Path:
    """The student edition (what the online book is built from), with the labs executed outside the repository."""
    publish.publish(target)
    for lab, (_, executed) in executed_labs.items():
        shutil.copy(executed, target / lab.relative_to(ROOT))
    config = yaml.safe_load((target / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"  # each lab ran once already, from the installed wheel
    (target / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


@pytest.mark.slow
def test_book_builds_without_warnings(tmp_path: Path, executed_labs):
    """The site renders with warnings as errors from the labs as executed (glued numbers and all)."""
    failed = [str(lab) for lab, (done, _) in executed_labs.items() if done.returncode != 0]
    assert failed == [], "labs that did not run (see tests/test_outside_repository.py)"
    source = book_tree(tmp_path / "book", executed_labs)
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(source),
        "--path-output",
        str(tmp_path),
        "-W",
        "-n",
        "--keep-going",
    ]
    build = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    html = tmp_path / "_build" / "html"
    assert (html / "index.html").exists()
    lab = (html / "notebooks" / "week1" / "lab2_statistical_forecasting.html").read_text()
    assert "<img" in lab  # executed plots are embedded
