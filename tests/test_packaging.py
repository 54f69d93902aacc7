"""Students anywhere: requirements for every platform, one repository URL, no notebook tied to this checkout."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import nbformat
import pytest
import yaml
from conftest import ROOT
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

PLATFORMS = {
    "Linux x86-64": {"sys_platform": "linux", "platform_machine": "x86_64"},
    "Linux ARM": {"sys_platform": "linux", "platform_machine": "aarch64"},
    "Windows": {"sys_platform": "win32", "platform_machine": "AMD64"},
    "macOS Apple silicon": {"sys_platform": "darwin", "platform_machine": "arm64"},
}


def requirement_lines():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            yield line


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_gets_exactly_one_pinned_tensorflow(platform):
    chosen = []
    for line in requirement_lines():
        requirement, _, marker = line.partition(";")
        if requirement.startswith("tensorflow") and (
            not marker or Marker(marker).evaluate(PLATFORMS[platform])
        ):
            chosen.append(requirement.strip())
    assert len(chosen) == 1 and chosen[0].endswith("==2.21.0"), chosen
    assert chosen[0].startswith("tensorflow-cpu") == (platform in ("Linux x86-64", "Windows"))


def test_every_requirement_is_pinned_exactly():
    assert all("==" in line.partition(";")[0] for line in requirement_lines())


def test_python_range_is_the_one_the_pinned_tensorflow_supports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    supported = SpecifierSet(project["requires-python"])
    assert [v for v in ("3.10", "3.11", "3.12", "3.13", "3.14") if v in supported] == ["3.11", "3.12", "3.13"]


def config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def test_the_book_keeps_jupyter_books_default_extensions_and_launch_buttons():
    extensions = set(config()["parse"]["myst_enable_extensions"])
    assert {"colon_fence", "dollarmath", "linkify", "substitution", "tasklist"} <= extensions
    buttons = config()["launch_buttons"]
    assert buttons["binderhub_url"] and buttons["colab_url"]
    assert config()["html"]["use_download_button"] is True
    assert (ROOT / "binder" / "requirements.txt").read_text().strip() == "-r ../requirements.txt"


def test_the_repository_url_is_set_once_and_used_everywhere():
    url = config()["repository"]["url"]
    check = subprocess.run(
        [sys.executable, ROOT / "scripts" / "install_cell.py", "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    for released in sorted((ROOT / "notebooks").glob("*/assignment.ipynb")):
        first = next(c for c in nbformat.read(released, as_version=4).cells if c.cell_type == "code")
        assert url in first.source, released
    for page in ("README.md", "docs/students.md"):  # the install line: front door, and the edition's guide
        assert url in (ROOT / page).read_text(), page


def every_notebook():
    return sorted(p for p in ROOT.glob("*/**/*.ipynb") if not {".venv", "_build", "corpus"} & set(p.parts))


def test_no_notebook_depends_on_its_place_in_the_repository():
    tied = []
    for path in every_notebook():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and ("../" in cell.source or "data/" in cell.source):
                tied.append(f"{path.relative_to(ROOT)}: {cell.source.splitlines()[0][:60]}")
    assert tied == []
