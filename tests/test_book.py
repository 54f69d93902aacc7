"""The book: every page is in the table of contents, and the site builds with warnings as errors."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from execute_notebooks import toc_entries  # noqa: E402


def toc_files():
    return toc_entries(ROOT / "_toc.yml")


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
    "error metric": re.compile(
        r"\b(MAE|MSE|RMSE|MAPE|AIC|interval score|pinball loss|Winkler score)\b[^.\n]{0,25}?(?<![\w.])\d+(\.\d+)?"
    ),
    "interval width": re.compile(
        r"\b(wide|width|widths|wider|narrower)\b[^.\n]{0,20}?(?<![\w.])\d+(\.\d+)?|(?<![\w.])\d+(\.\d+)?\s+"
        r"(\w+\s)?wide\b|±\s?\d"
    ),
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
    # Nominal levels are settings: "the 80 % and 95 % intervals", "the 10 %, 50 % and 90 % quantiles".
    re.compile(
        r"(?<![\w.])\d+(\.\d+)?\s?%((,\s?|\s(and|or|to)\s|,\s(and|or)\s)\d+(\.\d+)?\s?%)*\s+"
        r"((prediction|central|conformal|nominal|empirical|forecast)\s+)*(intervals?|bands?|quantiles?|levels?|fans?)\b"
    ),
    re.compile(r"\bnominal\s+((rate|level|coverage)\s+)?(of\s+)?\d+(\.\d+)?\s?%"),
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
        "The 80 % interval covers 74 % of the test months.",
        "Its intervals are 41.5 wide on average.",
        "The mean width of the band is 38.",
        "The interval score falls to 120.3 with the scaled interval.",
        "ARIMA(2,0,1) has the lowest AIC, 2450.1.",
        "The forecast is 12.5 ± 3.1 degrees.",
        "Coverage at the 95 % level is 91.5 %.",
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
        "The 80 % and 95 % intervals cover {glue:text}`cov80:.1f` % and {glue:text}`cov95:.1f` % of the months.",
        "A network predicts the 10 %, 50 % and 90 % quantiles; we compare them with the nominal 80 %.",
        "An 80 % prediction interval should miss one month in five.",
    ],
)
def test_prose_checker_allows_glued_values_and_settings(line):
    assert unglued_claims(line) == []


def guides() -> list:
    """The guides in docs/; not the calibration records, which are tables of measurements by design."""
    return sorted((ROOT / "docs").glob("*.md"))


def test_prose_quotes_no_unglued_measurements():
    """Measured results (errors, percentages, times, speed ratios, parameter counts) come from notebooks via glue.

    Thresholds and budgets are settings, not measurements, so lines that state a bar are allowed.
    """
    offenders = []
    for page in sorted((ROOT / "book").rglob("*.md")) + [ROOT / "README.md", *guides()]:
        for number, kind, line in unglued_claims(page.read_text(encoding="utf-8")):
            offenders.append(f"{page.relative_to(ROOT)}:{number}: {kind}: {line}")
    assert offenders == []


@pytest.mark.slow
def test_book_builds_without_warnings(built_site):
    """The site renders with warnings as errors from the labs as executed (glued numbers and all)."""
    build, html = built_site
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    assert (html / "index.html").exists()
    lab = (html / "notebooks" / "week1" / "lab2_statistical_forecasting.html").read_text()
    assert "<img" in lab  # executed plots are embedded
    for figure in ("window_features_label", "fixed_vs_roll_forward", "unrolled_rnn", "lstm_cell"):
        assert (html / "_images" / f"{figure}.svg").exists()  # diagrams drawn at build time
    assert (html / "_static" / "mathjax" / "tex-mml-chtml.js").exists()  # maths served by the site
    assert "cdn.jsdelivr.net" not in (html / "book" / "week3" / "lstm.html").read_text()


QUESTION = re.compile(r"^### Question \d+\n(?P<body>.*?)(?=^### |\Z)", re.M | re.S)


@pytest.mark.parametrize("quiz", sorted((ROOT / "book").glob("*/quiz.md")), ids=lambda p: p.parent.name)
def test_every_quiz_question_is_one_the_quiz_script_can_answer(quiz):
    """Lettered options, then a "Show answer" dropdown that opens with the right letter in bold, among them.

    book/_static/quiz.js relies on this shape to turn the options into buttons that answer back."""
    questions = [match["body"] for match in QUESTION.finditer(quiz.read_text(encoding="utf-8"))]
    assert len(questions) >= 5
    for number, body in enumerate(questions, 1):
        letters = re.findall(r"^- ([a-e])\. ", body, re.M)
        answer = re.search(r"^:::\{dropdown\} Show answer\n\*\*([a-e])\.\*\*", body, re.M)
        assert len(letters) >= 2 and answer and answer[1] in letters, f"{quiz.name} question {number}"


QUIZZES = sorted((ROOT / "book").glob("*/quiz.md"))
KEY = re.compile(r"^:::\{dropdown\} Show answer\n\*\*([a-e])\.\*\*(?P<explanation>.*?)^:::$", re.M | re.S)
OTHER_OPTIONS = re.compile(r"\b[Oo]ptions? ((?:[a-e]\b(?:,? and |,? or |, )?)+)")


def quiz_keys(quiz) -> list[tuple[str, list[str], str]]:
    """(keyed letter, option letters, explanation) of every question of a quiz."""
    keys = []
    for match in QUESTION.finditer(quiz.read_text(encoding="utf-8")):
        key = KEY.search(match["body"])
        keys.append((key[1], re.findall(r"^- ([a-e])\. ", match["body"], re.M), key["explanation"]))
    return keys


def unbalanced(letters: list[str], options="abcd", most=0.35) -> list[str]:
    """What is wrong with a set of answer letters: a letter keyed too often, or one never keyed."""
    counts = {letter: letters.count(letter) for letter in options}
    return [
        f"{letter}: {count} of {len(letters)}"
        for letter, count in counts.items()
        if count > most * len(letters) or count == 0
    ]


def test_the_balance_check_flags_a_quiz_that_rewards_guessing():
    assert unbalanced(list("bbbbbbabcd")) == ["b: 7 of 10"]
    assert unbalanced(list("abcabcabc")) == ["d: 0 of 9"]
    assert unbalanced(list("abcdabcdab")) == []


@pytest.mark.parametrize("quiz", QUIZZES, ids=lambda p: p.parent.name)
def test_every_quiz_has_ten_questions_and_no_favourite_letter(quiz):
    """At least 10 questions a week; no letter keyed above 35 % of them, every letter a-d keyed at least once."""
    letters = [key for key, _, _ in quiz_keys(quiz)]
    assert len(letters) >= 10, f"{quiz.parent.name}: {len(letters)} questions"
    assert unbalanced(letters) == [], f"{quiz.parent.name} keys {''.join(letters)}"


def test_the_course_keys_no_letter_above_a_third():
    letters = [key for quiz in QUIZZES for key, _, _ in quiz_keys(quiz)]
    assert unbalanced(letters) == [], "".join(letters)


@pytest.mark.parametrize("quiz", QUIZZES, ids=lambda p: p.parent.name)
def test_every_explanation_argues_for_its_key(quiz):
    """An explanation that names options by letter names only the wrong ones, and only letters the question
    has: reordering options to balance the keys cannot leave an explanation defending another option."""
    for number, (key, letters, explanation) in enumerate(quiz_keys(quiz), 1):
        assert misnamed(key, letters, explanation) == [], f"{quiz.parent.name} question {number}"


def misnamed(key: str, letters: list[str], explanation: str) -> list[str]:
    """The letters an explanation names as other options ("option c", "options a and d") that are the key
    itself or that the question does not have."""
    named = [
        letter for group in OTHER_OPTIONS.findall(explanation) for letter in re.findall(r"\b[a-e]\b", group)
    ]
    return [letter for letter in named if letter == key or letter not in letters]


def test_the_explanation_check_flags_an_explanation_left_behind_by_a_reorder():
    options = list("abcd")
    assert misnamed("b", options, " Right. Option a is a trend, options c and d are noise.") == []
    assert misnamed("a", options, " Right. Option a is a trend, options c and d are noise.") == ["a"]
    assert misnamed("b", list("abc"), " Options c or d describe noise.") == ["d"]


def lab_notebooks():
    return sorted((ROOT / "notebooks").glob("*/lab*.ipynb"))


@pytest.mark.parametrize("lab", lab_notebooks(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_lab_ends_with_things_to_try_and_their_solutions(lab):
    """The last cell: "## Things to try", numbered tasks, each followed by a Solution dropdown with code."""
    import nbformat

    last = nbformat.read(lab, as_version=4).cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Things to try")
    tasks = re.split(r"^\*\*\d+\.\*\* ", last.source, flags=re.M)[1:]
    assert len(tasks) >= 3
    for number, task in enumerate(tasks, 1):
        solution = re.search(r"^:::\{dropdown\} Solution\n```python\n.+?\n```\n.*?^:::$", task, re.M | re.S)
        assert solution, f"{lab.name}: task {number} has no Solution dropdown with a code block"
    assert len(lab_notebooks()) == 19


def test_the_diagrams_match_the_chapters():
    """The padding diagram computes the chapter's table; the window diagram, the chapter's examples."""
    from book_figures import conv1d, roll_forward_origins, windows

    values, kernel = [1, 2, 4, 7, 11], [-1, 1]
    assert conv1d(values, kernel, "valid")[1].tolist() == [1, 2, 3, 4]
    assert conv1d(values, kernel, "causal")[0].tolist() == [0, 1, 2, 4, 7, 11]  # zeros on the left only
    assert conv1d(values, kernel, "causal")[1].tolist() == [1, 1, 2, 3, 4]
    assert conv1d(values, kernel, "same")[1].tolist() == [1, 2, 3, 4, -11]
    assert conv1d(values, [1, -2, 1], "same")[0].tolist() == [0, 1, 2, 4, 7, 11, 0]  # odd kernel: both sides
    assert windows(list(range(10)), 4)[0] == ([0, 1, 2, 3], 4) and windows(list(range(10)), 4)[-1][1] == 9
    assert roll_forward_origins(20, 8, 2) == [8, 10, 12, 14, 16, 18]


def test_every_diagram_is_drawn_and_placed_with_alt_text(tmp_path):
    from book_figures import FIGURES, draw_all

    drawn = {path.stem for path in draw_all(tmp_path)}
    assert drawn == set(FIGURES)
    assert all((tmp_path / f"{name}.svg").read_text().startswith("<?xml") for name in drawn)
    chapters = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "book").rglob("*.md"))
    for name in FIGURES:
        figure = re.search(rf"```{{figure}} \.\./figures/{name}\.svg\n:alt: (.+)\n", chapters)
        assert figure and len(figure[1]) > 60, f"{name}: not placed in a chapter with alt text"
