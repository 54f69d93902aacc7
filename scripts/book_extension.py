"""The course's Sphinx extension (`sphinx.local_extensions` in `_config.yml`): what the book needs offline.

At the start of every build it

- draws the chapters' diagrams into `book/figures/` (`scripts/book_figures.py`), and
- makes sure a copy of MathJax is in `book/_static/mathjax/`, fetched once from the npm registry (a pinned
  version, checked against its published sha512), so that the site serves its own maths renderer
  (`mathjax_path` in `_config.yml`) and needs no CDN.

Both folders are generated, not committed. The quiz script (`book/_static/quiz.js`) is plain, committed code.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_figures import draw_all  # noqa: E402

MATHJAX_VERSION = "3.2.2"
MATHJAX_URL = f"https://registry.npmjs.org/mathjax/-/mathjax-{MATHJAX_VERSION}.tgz"
MATHJAX_SHA512 = "Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
# The combined TeX/MathML-to-HTML component Sphinx loads by default, plus what it loads on demand (TeX
# extensions, fonts, menu, accessibility). The speech-rule engine and the other combined components are left out.
MATHJAX_KEEP = ("tex-mml-chtml.js", "a11y/", "adaptors/", "input/", "output/chtml", "ui/")


def mathjax_members(archive: tarfile.TarFile):
    """The archive's files under package/es5/ worth serving, renamed relative to es5/."""
    for member in archive.getmembers():
        name = member.name.removeprefix("package/es5/")
        if member.isfile() and name != member.name and name.startswith(MATHJAX_KEEP):
            member.name = name
            yield member


def fetch_mathjax(target: Path, url: str = MATHJAX_URL, sha512: str = MATHJAX_SHA512) -> Path:
    """Unpack the pinned MathJax into target unless it is there; returns the path of its entry script."""
    script = target / "tex-mml-chtml.js"
    stamp = target / "VERSION"
    if script.exists() and stamp.exists() and stamp.read_text().strip() == MATHJAX_VERSION:
        return script
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != sha512:
        raise RuntimeError(f"MathJax download from {url} has sha512 {digest}, expected {sha512}")
    shutil.rmtree(target, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        archive.extractall(target, members=mathjax_members(archive), filter="data")
    stamp.write_text(MATHJAX_VERSION + "\n")
    return script


def prepare(app, config):
    """config-inited: draw the diagrams and provide MathJax in the source folder being built."""
    source = Path(app.srcdir)
    draw_all(source / "book" / "figures")
    fetch_mathjax(source / "book" / "_static" / "mathjax")


def unique_scripts(app, pagename, templatename, context, doctree):
    """html-page-context: drop repeated script tags (sphinx-thebe's settings script is added twice under
    Jupyter Book, and the second `const` declaration is an error in every page's console)."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # the copies differ only in their filename, None or "" (no file: an inline script)
        key = (
            getattr(script, "filename", script) or "",
            repr(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique  # in place: the page renders this very list


def setup(app):
    app.connect("config-inited", prepare)
    app.connect("html-page-context", unique_scripts, priority=900)  # after every handler that adds one
    return {"parallel_read_safe": True, "parallel_write_safe": True}
