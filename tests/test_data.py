"""The data the course ships is exactly the data its sources describe."""

import hashlib
import re

import pytest

from autograder import paths

SOURCES = (paths.DATA / "SOURCES.md").read_text(encoding="utf-8")


def recorded_checksums():
    sections = re.split(r"^## ", SOURCES, flags=re.MULTILINE)[1:]
    found = {}
    for section in sections:
        name = section.splitlines()[0].strip()
        match = re.search(r"sha256: `([0-9a-f]{64})`", section)
        found[name] = match.group(1) if match else None
    return found


def test_every_data_file_is_documented():
    documented = set(recorded_checksums())
    shipped = {p.name for p in paths.DATA.iterdir() if p.name != "SOURCES.md"}
    assert shipped == documented


@pytest.mark.parametrize("name", sorted(recorded_checksums()))
def test_checksum_matches_sources(name):
    digest = hashlib.sha256((paths.DATA / name).read_bytes()).hexdigest()
    assert digest == recorded_checksums()[name]


def test_sunspots_shape():
    lines = (paths.DATA / "sunspots.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3236
    assert lines[1] == "0,1749-01-31,96.7"
    assert lines[-1] == "3234,2018-07-31,1.6"


def test_cet_daily_shape():
    lines = (paths.DATA / "cetdl1772on.dat").read_text(encoding="utf-8").split("\n")
    assert len(lines) == 7750
    assert lines[0].split()[:4] == ["1772", "1", "32", "-15"]
    assert lines[-1].split()[:3] == ["2021", "31", "8"]
