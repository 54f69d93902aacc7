"""The built site, opened page by page in headless Chromium as a reader opens it.

Served on loopback, with every request that leaves the machine blocked (and counted as a failure), it
checks each page for console errors, failed requests, broken links and images and maths left as raw LaTeX;
that search finds "forecast"; that every quiz question answers a click; and that the navigation lists each
week once. Screenshots of a chapter, a lab and a quiz go to tests/output/browser/.

Playwright (PyPI) drives Debian's `chromium` (no browser download). `BOOK_SITE=_build/html` runs it on a
site built with `scripts/build_book.sh` instead of building one.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # it reads the site built from every executed lab

SCREENSHOTS = ROOT / "tests" / "output" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_PAGES = {  # page type: (page, element to show)
    "chapter": ("book/week3/lstm.html", "figure"),
    "lab": ("notebooks/week1/lab2_statistical_forecasting.html", ".cell_output img"),
    "quiz": ("book/week1/quiz.html", "#question-1"),
}
# Whether MathJax has typeset the page: every TeX span Sphinx wrote holds MathJax's output.
RAW_MATHS = """() => Array.from(document.querySelectorAll('.math'))
    .filter(e => !e.querySelector('mjx-container') && /\\\\\\(|\\\\\\[|\\$\\$|\\\\begin/.test(e.textContent))
    .map(e => e.textContent.slice(0, 60))"""
BROKEN_IMAGES = """() => Array.from(document.images)
    .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))"""
SEARCH_FINISHED = """() => {
    const summary = document.querySelector('#search-results .search-summary');
    return summary !== null && /Search finished|did not match/.test(summary.textContent);
}"""
LINKS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
WAIT_FOR_MATHJAX = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
}"""


@pytest.fixture(scope="module")
def site(request):
    """The folder of a built site: BOOK_SITE if set, else the one the book test builds."""
    if os.environ.get("BOOK_SITE"):
        return Path(os.environ["BOOK_SITE"]).resolve()
    build, html = request.getfixturevalue("built_site")
    if build.returncode != 0:
        pytest.fail("the book did not build (see test_book_builds_without_warnings)")
    return html


@pytest.fixture(scope="module")
def server(site):
    """The site over HTTP on 127.0.0.1, in a thread: its base URL."""
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Reader:
    """One browser tab that records every console error, failed request and request that left loopback."""

    def __init__(self, browser, base):
        self.base = base
        self.problems: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        # Only requests that leave the site reach Python (a JavaScript regex, matched in the browser's driver).
        self.page.route(re.compile(rf"^(?!{re.escape(base)}|data:)"), self.blocked)
        self.page.on("console", self.console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("response", self.response)

    def blocked(self, route):
        self.problems.append(f"request outside the site: {route.request.url}")
        route.abort()

    def console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def open(self, path):
        self.page.goto(self.base + path, wait_until="load")
        self.page.evaluate(WAIT_FOR_MATHJAX)
        return self.page

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (scripts/test.sh installs it as root)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


def pages(site: Path) -> list[str]:
    """Every HTML page of the site, relative to its root, but redirects (index.html leads to the intro)."""
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if not path.relative_to(site).parts[0].startswith("_") and not is_redirect(path)
    )


def is_redirect(page: Path) -> bool:
    return re.search(r'<meta http-equiv="refresh"', page.read_text(encoding="utf-8"), re.I) is not None


def missing_anchor(url: str, site: Path, ids: dict) -> str | None:
    """Why an internal link is broken (no such file, or no such anchor in it), or None."""
    address, fragment = urldefrag(url)
    path = urlparse(address).path.lstrip("/") or "index.html"
    target = site / path
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return "no such page"
    if fragment and target.suffix == ".html":
        if target not in ids:
            ids[target] = set(re.findall(r'\bid="([^"]+)"', target.read_text(encoding="utf-8")))
        if fragment not in ids[target]:
            return f"no anchor #{fragment}"
    return None


def test_every_page_opens_cleanly(site, server, browser):
    """No console error, failed or outside request, broken link or image, or raw LaTeX, on any page."""
    reader = Reader(browser, server)
    ids: dict = {}
    problems, links, maths_pages = [], set(), 0
    all_pages = pages(site)
    assert len(all_pages) > 30, all_pages
    for path in all_pages:
        page = reader.open(path)
        raw = page.evaluate(RAW_MATHS)
        maths_pages += page.locator(".math mjx-container").count() > 0
        found = reader.take()
        found += [f"raw LaTeX: {text}" for text in raw]
        found += [f"broken image: {src}" for src in page.evaluate(BROKEN_IMAGES)]
        links.update((path, link) for link in page.evaluate(LINKS) if link.startswith(server))
        problems += [f"{path}: {problem}" for problem in found]
    for path, link in sorted(links):
        why = missing_anchor(link[len(server) - 1 :], site, ids)
        if why:
            problems.append(f"{path}: broken link {link[len(server) :]} ({why})")
    reader.page.close()
    assert problems == []
    assert maths_pages >= 5  # the chapters with formulas: MathJax ran on them


def test_the_front_door_leads_to_the_intro(server, browser):
    """The site's index.html redirects to the first page, which loads the site's own MathJax."""
    reader = Reader(browser, server)
    page = reader.page
    page.goto(server + "index.html")
    page.wait_for_url("**/book/intro.html")
    page.wait_for_load_state("load")
    scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src)")
    problems = reader.take()
    page.close()
    assert problems == []
    assert any(src.startswith(server + "_static/mathjax/tex-mml-chtml.js") for src in scripts), scripts


def test_search_finds_forecast(server, browser):
    reader = Reader(browser, server)
    page = reader.open("search.html?q=forecast")
    # Sphinx lists the hits one by one on a timer, then writes its summary: count once it is written.
    page.wait_for_function(SEARCH_FINISHED, timeout=30000)
    summary = page.locator("#search-results .search-summary").inner_text()
    hits = page.locator("#search-results li").count()
    problems = reader.take()
    reader.page.close()
    assert problems == []
    assert f"found {hits} page" in summary, (hits, summary)
    assert hits >= 10, summary


def test_navigation_lists_each_week_once(server, browser):
    reader = Reader(browser, server)
    page = reader.open("book/intro.html")
    entries = [text.strip() for text in page.locator("nav.bd-docs-nav a.reference").all_text_contents()]
    captions = [text.strip() for text in page.locator("nav.bd-docs-nav p.caption").all_text_contents()]
    reader.page.close()
    weeks = Counter(text.split(":")[0] for text in entries + captions if re.match(r"Week \d:", text))
    assert sorted(weeks) == [f"Week {n}" for n in range(1, 6)]
    assert set(weeks.values()) == {1}, weeks
    assert captions == []


QUESTIONS = """() => Array.from(document.querySelectorAll('section[id^=question-]')).map(q => ({
    id: q.id,
    right: (q.querySelector('details strong') || {textContent: ''}).textContent.trim().replace(/\\.$/, ''),
    letters: Array.from(q.querySelectorAll('button.quiz-option')).map(b => b.dataset.letter)}))"""
MARKS = """() => Object.fromEntries(Array.from(document.querySelectorAll('section[id^=question-]')).map(q => [q.id, {
    right: Array.from(q.querySelectorAll('button.quiz-right')).map(b => b.dataset.letter),
    wrong: Array.from(q.querySelectorAll('button.quiz-wrong')).map(b => b.dataset.letter),
    open: q.querySelector('details').open,
    feedback: (q.querySelector('.quiz-feedback') || {textContent: ''}).textContent}]))"""


def click_each(page, choices: dict):
    """Click, as a reader does, the option choices[question id] of every question."""
    for question, letter in choices.items():
        page.locator(f"#{question} button[data-letter={letter}]").click()


def test_every_quiz_answers_a_click(site, server, browser):
    """In every question a click on a wrong option marks it wrong and opens the answer; the right one, right."""
    reader = Reader(browser, server)
    quizzes = [path for path in pages(site) if path.endswith("/quiz.html")]
    assert len(quizzes) == 6, quizzes
    failures, answered = [], 0
    for path in quizzes:
        page = reader.open(path)
        questions = page.evaluate(QUESTIONS)
        usable = [q for q in questions if q["right"] in q["letters"] and len(q["letters"]) > 1]
        failures += [
            f"{path}#{q['id']}: options {q['letters']}, answer {q['right']!r}"
            for q in questions
            if q not in usable
        ]
        click_each(page, {q["id"]: next(x for x in q["letters"] if x != q["right"]) for q in usable})
        after_wrong = page.evaluate(MARKS)
        click_each(page, {q["id"]: q["right"] for q in usable})
        after_right = page.evaluate(MARKS)
        for q in usable:
            wrong, right = after_wrong[q["id"]], after_right[q["id"]]
            if not (len(wrong["wrong"]) == 1 and wrong["open"] and wrong["feedback"].startswith("Not quite")):
                failures.append(f"{path}#{q['id']}: after a wrong click {wrong}")
            if not (
                right["right"] == [q["right"]]
                and not right["wrong"]
                and right["feedback"].startswith("Right")
            ):
                failures.append(f"{path}#{q['id']}: after the right click {right}")
            answered += 1
        failures += [f"{path}: {problem}" for problem in reader.take()]
    reader.page.close()
    assert failures == []
    assert answered >= 30


def test_a_labs_solutions_open_on_a_click(server, browser):
    """Each of a lab's Things to try has a Solution dropdown; a click shows its code."""
    reader = Reader(browser, server)
    page = reader.open("notebooks/week3/lab2_lstm.html")
    solutions = page.locator("details.sd-dropdown").filter(has=page.locator("summary", has_text="Solution"))
    count = solutions.count()
    code = solutions.first.locator("pre").first
    hidden_before = not code.is_visible()
    solutions.first.locator("summary").click()
    code.wait_for(state="visible", timeout=5000)
    problems = reader.take()
    reader.page.close()
    assert problems == []
    assert count >= 3 and hidden_before


def test_answers_stay_readable_without_javascript(server, browser):
    """With JavaScript off, the options are a plain list and each answer is in its dropdown."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "book/week1/quiz.html")
    assert page.locator("button.quiz-option").count() == 0
    assert page.locator("details summary", has_text="Show answer").count() > 0
    assert page.locator("details strong").first.text_content().strip() == "b."
    context.close()


@pytest.mark.parametrize("kind", SCREENSHOT_PAGES)
def test_screenshot_of_each_page_type(kind, server, browser):
    """tests/output/browser/<kind>.png: a chapter (with its diagram), a lab (with a plot), a quiz (answered)."""
    path, element = SCREENSHOT_PAGES[kind]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader = Reader(browser, server)
    page = reader.open(path)
    target = page.locator(element).first
    target.scroll_into_view_if_needed()
    if kind == "quiz":
        target.locator("button.quiz-option").nth(1).click()
    shot = SCREENSHOTS / f"{kind}.png"
    page.screenshot(path=shot)
    problems = reader.take()
    reader.page.close()
    assert problems == []
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
