"""Execute the book's notebooks two at a time into Jupyter Book's execution cache.

    python scripts/execute_notebooks.py [--jobs 2]

`jupyter-book build` (with `execute_notebooks: cache`) executes notebooks one after another; a
notebook spends much of its time in single-threaded Python, so two at once on two cores finish
sooner. This fills the same cache (`_build/.jupyter_cache`) the build reads, keyed by the same
hash of each notebook's code, so the build then only renders. A notebook already cached with its
current code is skipped; one that fails is reported and the build will execute it again (and fail
on it). Notebooks run in their own folder, as the build runs them.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"


def toc_entries(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every file the table of contents lists (root, parts, chapters, sections), in order, without suffix."""

    def walk(node) -> list[str]:
        entries = [node["file"]] if "file" in node else []
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []):
                entries += walk(child)
        return entries

    toc = yaml.safe_load(toc_path.read_text())
    return [toc["root"]] + walk(toc)


def book_notebooks() -> list[Path]:
    """Every notebook the table of contents lists, in order."""
    return [ROOT / f"{entry}.ipynb" for entry in toc_entries() if (ROOT / f"{entry}.ipynb").exists()]


def longest_first(notebooks: list[Path]) -> list[Path]:
    """The notebooks in the order to start them, so that two workers finish close together: those that
    train a model (`.fit(`) before those that do not, later weeks (longer training) before earlier ones;
    the quick notebooks fill the last gaps."""

    def trains(path: Path) -> bool:
        cells = nbformat.read(path, as_version=4).cells
        return any(".fit(" in cell.source for cell in cells if cell.cell_type == "code")

    position = {path: index for index, path in enumerate(notebooks)}
    return sorted(notebooks, key=lambda path: (not trains(path), -position[path]))


def execute(path: Path):
    """(path, executed notebook, seconds, error text or None)."""
    notebook = nbformat.read(path, as_version=4)
    timeout = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]
    result = single_nb_execution(notebook, cwd=str(path.parent), timeout=timeout, allow_errors=False)
    return path, notebook, result.time, result.exc_string if result.err else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    cache = get_cache(str(CACHE))
    pending = []
    for path in book_notebooks():
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            pending.append(path)
    failed = 0
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for path, notebook, seconds, error in pool.map(execute, longest_first(pending)):
            name = path.relative_to(ROOT)
            if error:
                failed += 1
                print(f"FAILED {name}:\n{error[-2000:]}", flush=True)
                continue
            bundle = CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds})
            cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
            print(f"executed {name} in {seconds:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
