"""Draw the book's diagrams with matplotlib, from the same numbers the chapters use.

    python scripts/book_figures.py [--out book/figures]

The book build draws them itself (`scripts/book_extension.py`, at the start of every build), so the files in
`book/figures/` are generated, never committed, and a diagram cannot drift from the code that defines it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "book" / "figures"

FEATURE, LABEL, PAD, CELL, GATE = "#9ecae1", "#fdae6b", "#d9d9d9", "#c7e9c0", "#fde0ef"
TRAIN, VALID, TEST, UNUSED = "#6baed6", "#fd8d3c", "#74c476", "#f0f0f0"


def box(ax, x, y, text, width=0.9, height=0.9, color="white", size=11, hatch=None):
    """A square-ish labelled cell whose lower-left corner is (x, y)."""
    ax.add_patch(Rectangle((x, y), width, height, facecolor=color, edgecolor="black", hatch=hatch))
    ax.text(x + width / 2, y + height / 2, text, ha="center", va="center", fontsize=size)


def rounded(ax, x, y, width, height, text, color, size=11):
    """A rounded box centred on (x, y)."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.1",
            facecolor=color,
            edgecolor="black",
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=size)


def arrow(ax, start, end, color="black", style="-|>", width=1.2):
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=color, linewidth=width)
    )


def canvas(width, height, xlim, ylim):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def windows(series, window_size):
    """(features, label) pairs of a window sliding one step at a time, as in Week 2's chapter."""
    return [(series[i : i + window_size], series[i + window_size]) for i in range(len(series) - window_size)]


def draw_window(window_size=4, length=10, rows=3):
    """The series 0..9, and the first windows: window_size features, then the next value as the label."""
    series = list(range(length))
    pairs = windows(series, window_size)
    fig, ax = canvas(9, 1.2 * (rows + 1.6), (-2.6, length + 0.2), (-1.2 * rows - 1.5, 1.2))
    ax.text(-0.2, 0.45, "series", ha="right", va="center", fontsize=11)
    for t, value in enumerate(series):
        box(ax, t, 0, str(value))
    for row, (features, label) in enumerate(pairs[:rows], start=1):
        y = -1.2 * row
        ax.text(-0.2, y + 0.45, f"example {row}", ha="right", va="center", fontsize=11)
        for t in range(length):
            if t - (row - 1) in range(window_size):
                box(ax, t, y, str(features[t - (row - 1)]), color=FEATURE)
            elif t == row - 1 + window_size:
                box(ax, t, y, str(label), color=LABEL)
    ax.text(length - 0.1, -1.2 * rows - 0.6, "…", ha="right", fontsize=14)
    ax.add_patch(Rectangle((0, -1.2 * rows - 1.3), 0.5, 0.35, facecolor=FEATURE, edgecolor="black"))
    ax.text(0.6, -1.2 * rows - 1.12, f"features ({window_size} past values)", va="center", fontsize=10)
    ax.add_patch(Rectangle((4.6, -1.2 * rows - 1.3), 0.5, 0.35, facecolor=LABEL, edgecolor="black"))
    ax.text(5.2, -1.2 * rows - 1.12, "label (the next value)", va="center", fontsize=10)
    return fig


def roll_forward_origins(length, first_train, step):
    """Training lengths of roll-forward partitioning: train on [0, n), forecast [n, n + step)."""
    return list(range(first_train, length - step + 1, step))


def draw_splits(length=20, train=12, valid=5, first_train=8, step=2):
    """Fixed partitioning (one train/validation/test cut) against roll-forward partitioning."""
    origins = roll_forward_origins(length, first_train, step)
    rows = len(origins)
    fig, ax = canvas(9, 0.55 * (rows + 5), (-5.2, length + 0.5), (-rows - 2.6, 2.2))
    ax.text(-0.3, 1.25, "fixed", ha="right", va="center", fontsize=11, weight="bold")
    for t in range(length):
        color = TRAIN if t < train else VALID if t < train + valid else TEST
        ax.add_patch(Rectangle((t, 0.9), 1, 0.7, facecolor=color, edgecolor="white"))
    for x, name in (
        (train / 2, "training"),
        (train + valid / 2, "validation"),
        (train + valid + 1.5, "test"),
    ):
        ax.text(x, 1.25, name, ha="center", va="center", fontsize=9)
    ax.text(-0.3, -0.3, "roll-forward", ha="right", va="center", fontsize=11, weight="bold")
    for row, n in enumerate(origins):
        y = -0.3 - 0.8 * row
        for t in range(length):
            color = TRAIN if t < n else VALID if t < n + step else UNUSED
            ax.add_patch(Rectangle((t, y - 0.35), 1, 0.7, facecolor=color, edgecolor="white"))
        ax.text(length + 0.3, y, f"round {row + 1}", va="center", fontsize=9)
    arrow(ax, (0, -0.8 * rows - 0.6), (length, -0.8 * rows - 0.6))
    ax.text(length / 2, -0.8 * rows - 1.0, "time", ha="center", va="top", fontsize=10)
    legend = ((TRAIN, "train"), (VALID, "forecast and score"), (TEST, "test (fixed only)"))
    for i, (color, name) in enumerate(legend):
        ax.add_patch(Rectangle((i * 6.5, -0.8 * rows - 2.2), 0.6, 0.5, facecolor=color))
        ax.text(i * 6.5 + 0.8, -0.8 * rows - 1.95, name, va="center", fontsize=9)
    return fig


def draw_unrolled_rnn(window_size=20, units=40, features=1, shown=(1, 2, 3, None, 20)):
    """SimpleRNN(units) unrolled over a (batch, window_size, features) window: one cell, reused."""
    fig, ax = canvas(10, 4.6, (-1.8, 2.4 * len(shown) + 1.6), (-2.6, 3.3))
    ax.text(
        -1.7,
        3.0,
        f"input (batch, {window_size}, {features})  →  SimpleRNN({units})  →  output (batch, {units})",
        fontsize=11,
        va="center",
    )
    previous = (-1.3, 0.9)
    ax.text(-1.3, 0.5, f"$h_0 = 0$\n(batch, {units})", ha="center", va="top", fontsize=9)
    for i, step in enumerate(shown):
        x = 1.2 + 2.4 * i
        if step is None:
            ax.text(x, 0.9, "…", ha="center", va="center", fontsize=18)
            arrow(ax, previous, (x - 0.4, 0.9))
            previous = (x + 0.4, 0.9)
            continue
        rounded(ax, x, 0.9, 1.5, 1.0, "same\ncell", CELL, size=10)
        box(ax, x - 0.45, -1.9, f"$x_{{{step}}}$", width=0.9, height=0.7, color=FEATURE)
        ax.text(x + 0.5, -1.55, f"(batch, {features})", fontsize=8, va="center")
        arrow(ax, (x, -1.2), (x, 0.4))
        arrow(ax, previous, (x - 0.75, 0.9))
        label = "h_{" + str(step - 1) + "}"
        if i and shown[i - 1] is not None:
            ax.text((previous[0] + x - 0.75) / 2, 1.0, f"${label}$", ha="center", va="bottom", fontsize=10)
        previous = (x + 0.75, 0.9)
    arrow(ax, previous, (previous[0] + 0.9, 0.9))
    ax.text(previous[0] + 0.95, 0.9, f"$h_{{{window_size}}}$", va="center", fontsize=11)
    ax.text(previous[0] + 0.3, 0.3, f"(batch, {units})", fontsize=9, ha="center", va="top")
    ax.text(
        -1.7,
        2.3,
        f"every arrow between cells carries a state of shape (batch, {units}); "
        f"return_sequences=True would output all {window_size}: (batch, {window_size}, {units})",
        fontsize=9,
        va="center",
    )
    return fig


def draw_lstm_cell():
    """One LSTM step: sigmoid forget, input and output gates, tanh candidate, cell state c and output h."""
    fig, ax = canvas(9, 5.4, (-1.2, 11.2), (-3.6, 3.2))
    ax.add_patch(
        FancyBboxPatch((0.4, -2.3), 9.2, 4.6, boxstyle="round,rounding_size=0.3", fc="#f7f7f7", ec="grey")
    )
    belt = 1.7
    ax.text(-1.1, belt, "$c_{t-1}$", va="center", fontsize=12)
    ax.text(10.0, belt, "$c_t$", va="center", fontsize=12)
    ax.text(-1.1, -2.9, "$h_{t-1}$", va="center", fontsize=12)
    ax.text(-1.1, -3.4, "$x_t$", va="center", fontsize=12)
    gates = [  # x, name, activation
        (2.0, "forget $f_t$", r"$\sigma$"),
        (3.9, "input $i_t$", r"$\sigma$"),
        (5.7, "candidate $g_t$", "tanh"),
        (7.6, "output $o_t$", r"$\sigma$"),
    ]
    ax.plot([-0.4, 9.9], [-2.9, -2.9], color="black", linewidth=1.2)
    arrow(ax, (-0.4, -3.4), (0.9, -2.95))
    ax.text(0.95, -3.35, "$[h_{t-1}, x_t]$", fontsize=9)
    for x, name, activation in gates:
        arrow(ax, (x, -2.9), (x, -1.55))
        rounded(ax, x, -1.2, 1.6, 0.7, f"{activation}\n{name}", GATE if activation != "tanh" else CELL, 9)
    # the cell state belt: forget (multiply), add the gated candidate
    arrow(ax, (-0.4, belt), (1.75, belt))
    rounded(ax, 2.0, belt, 0.5, 0.5, "×", "white", size=13)
    arrow(ax, (2.0, -0.85), (2.0, belt - 0.25))
    arrow(ax, (2.25, belt), (4.55, belt))
    rounded(ax, 4.8, belt, 0.5, 0.5, "+", "white", size=13)
    rounded(ax, 4.8, 0.2, 0.5, 0.5, "×", "white", size=13)
    arrow(ax, (3.9, -0.85), (4.6, 0.05))
    arrow(ax, (5.7, -0.85), (5.0, 0.05))
    arrow(ax, (4.8, 0.45), (4.8, belt - 0.25))
    arrow(ax, (5.05, belt), (9.9, belt))
    # the output: o_t times tanh(c_t)
    rounded(ax, 8.6, 0.75, 0.8, 0.45, "tanh", CELL, size=9)
    arrow(ax, (8.6, belt), (8.6, 0.98))
    rounded(ax, 8.6, -0.3, 0.5, 0.5, "×", "white", size=13)
    arrow(ax, (8.6, 0.52), (8.6, -0.05))
    arrow(ax, (7.6, -0.85), (8.35, -0.3))
    arrow(ax, (8.85, -0.3), (9.9, -0.3))
    ax.text(10.0, -0.3, "$h_t$", va="center", fontsize=12)
    ax.text(
        5.0, 2.65, r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t,\quad h_t = o_t \odot \tanh(c_t)$", ha="center"
    )
    return fig


def conv1d(values, kernel, padding):
    """(padded input, output, number of zeros on the left) of a 1-D convolution, as Keras Conv1D pads."""
    k = len(kernel)
    left = {"valid": 0, "causal": k - 1, "same": (k - 1) // 2}[padding]
    right = 0 if padding in ("valid", "causal") else k - 1 - left
    padded = np.concatenate([np.zeros(left), values, np.zeros(right)])
    output = np.array([padded[t : t + k] @ kernel for t in range(len(padded) - k + 1)])
    return padded, output, left


def draw_padding(values=(1, 2, 4, 7, 11), kernel=(-1, 1)):
    """Causal against same padding for the chapter's kernel: which inputs each output reads."""
    values, kernel = np.array(values, float), np.array(kernel, float)
    fig, ax = canvas(9, 5.6, (-3.2, len(values) + 3.5), (-6.2, 1.5))
    ax.text(-3.1, 1.1, f"kernel {kernel.astype(int).tolist()} on {values.astype(int).tolist()}", fontsize=11)
    for row, padding in enumerate(("causal", "same")):
        top = -3.2 * row
        padded, output, left = conv1d(values, kernel, padding)
        ax.text(-1.3, top, f'"{padding}"\ninput', ha="right", va="center", fontsize=10)
        ax.text(-1.3, top - 1.8, "output", ha="right", va="center", fontsize=10)
        for j, value in enumerate(padded):
            real = left <= j < left + len(values)
            x = j - left
            box(ax, x, top - 0.45, f"{value:g}", color=FEATURE if real else PAD, hatch=None if real else "//")
        for t, value in enumerate(output):
            box(ax, t, top - 2.25, f"{value:g}", color=LABEL)
            if t in (2, len(output) - 1):  # show the inputs two outputs read
                for j in range(t, t + len(kernel)):
                    arrow(ax, (j - left + 0.45, top - 0.45), (t + 0.45, top - 1.35), color="#3182bd")
        ax.text(
            len(values) + 0.3,
            top - 1.0,
            "only the present\nand the past"
            if padding == "causal"
            else "reads the next value;\nthe last reads a zero",
            fontsize=9,
            va="center",
        )
    ax.add_patch(Rectangle((0, -6.1), 0.5, 0.35, facecolor=PAD, edgecolor="black", hatch="//"))
    ax.text(0.6, -5.92, "padded zero", va="center", fontsize=9)
    return fig


FIGURES = {
    "window_features_label": draw_window,
    "fixed_vs_roll_forward": draw_splits,
    "unrolled_rnn": draw_unrolled_rnn,
    "lstm_cell": draw_lstm_cell,
    "causal_vs_same_padding": draw_padding,
}


def draw_all(out: Path = OUT) -> list[Path]:
    """Write every figure as SVG into out; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with plt.rc_context({"svg.hashsalt": "course", "svg.fonttype": "path"}):
        for name, draw in FIGURES.items():
            fig = draw()
            path = out / f"{name}.svg"
            fig.savefig(path, bbox_inches="tight", metadata={"Date": None})
            plt.close(fig)
            written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for path in draw_all(args.out):
        print(path)


if __name__ == "__main__":
    main()
