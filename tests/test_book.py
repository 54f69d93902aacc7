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


def test_prose_quotes_no_unglued_measurements():
    """Measured results (MAE/MSE values) in chapters must come from notebooks via glue.

    Thresholds are settings, not measurements, so lines that state a bar are allowed.
    """
    settings = ("at most", "≤", "<=", "threshold")
    pattern = re.compile(r"\b(MAE|MSE)\b[^.\n]{0,25}?\b\d+\.\d+")
    offenders = []
    for page in (ROOT / "book").rglob("*.md"):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "glue" not in line and not any(s in line for s in settings):
                offenders.append(f"{page.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def book_tree(target: Path, executed_labs: dict) -> Path:
    """A copy of the book's sources whose labs are the ones executed outside the repository."""
    skip = shutil.ignore_patterns(
        ".venv", "_build", "build", ".git", "*.egg-info", ".pytest_cache", "__pycache__"
    )
    shutil.copytree(ROOT, target, ignore=skip)
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
