"""The adversarial and malformed submissions, with the outcome each must get.

Each entry builds one student's folder from a base notebook (the reference solution, the
blank release, or a raw file under files/) plus injected code, and states what grading must
produce: the score, notes that must appear, and tests that must fail. `{ROOT}`, `{CLASS}` and
`{OUT}` in injected code are replaced by the repository, the class folder and the grader's
output folder, so the hostile code aims at the real paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WEEK1_FULL = 12.0

# Returns the right naive forecast only if the forbidden action worked: the test must fail.
READ_SECRETS = """
def naive_forecast(series, split_time):
    stolen = 0
    for path in ["{ROOT}/solutions/week1/assignment.ipynb", "{OUT}/gradebook.db",
                 "{CLASS}/alice_reference/assignment.ipynb", "{ROOT}/autograder/assignments/week1.py"]:
        try:
            with open(path, "rb") as handle:
                stolen += len(handle.read(10)) > 0
        except OSError:
            pass
    return series[split_time - 1 : -1] if stolen else None
"""

NETWORK = """
def naive_forecast(series, split_time):
    import socket
    reached = 0
    for host, port in [("127.0.0.1", {PORT}), ("8.8.8.8", 53), ("pypi.org", 443)]:
        try:
            socket.create_connection((host, port), timeout=2).close()
            reached += 1
        except OSError:
            pass
    return series[split_time - 1 : -1] if reached else None
"""

WRITE_OUTSIDE = """
import os
for path in ["{ROOT}/PWNED.txt", "{OUT}/PWNED.txt", "{CLASS}/alice_reference/PWNED.txt", "/tmp/PWNED-{TOKEN}.txt"]:
    try:
        with open(path, "w") as handle:
            handle.write("pwned")
    except OSError:
        pass
"""

MONKEYPATCH = """
import builtins
import sys
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *args, **kwargs: None
builtins.AssertionError = Exception
for module in ("autograder.notebook", "tscourse.checking.notebook", "tscourse.checking"):
    try:
        __import__(module)
        sys.modules[module].run_tests = lambda *args, **kwargs: print("All tests passed.")
    except ImportError:
        pass
print("All tests passed.")
"""

FAKE_RESULTS = """
import json, os
out = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.getcwd()))), "out")
fake = {"p%d" % n: {"kind": "number", "pytype": "float", "value": 0.0} for n in range(40)}
for name in ("probes.json", "cells.json"):
    with open(os.path.join(out, name), "w") as handle:
        json.dump(fake, handle)
with open(os.path.join(out, "progress"), "a") as handle:
    handle.write("done\\n")
os._exit(0)
"""

PATCH_RUNNER = """
import sys
runner = sys.modules.get("__main__")
if runner is not None and hasattr(runner, "run_probe"):
    runner.run_probe = lambda *args, **kwargs: {"kind": "number", "pytype": "float", "value": 1.0}
"""


@dataclass
class Entry:
    name: str
    assignment: str = "week1"
    base: str = "solution"  # "solution", "release", "file", "none"
    file: str = ""  # under files/, for base="file"
    filename: str = "assignment.ipynb"
    cells: dict[str, str] = field(default_factory=dict)  # exercise grade_id -> new code
    extra: str = ""  # an extra cell, placed after the first exercise cell
    score: float | None = None
    notes: tuple[str, ...] = ()
    failed: frozenset[str] = frozenset()  # tests that must score 0
    metadata_assignment: str = ""  # claim another assignment in the notebook metadata
    append: dict[str, str] = field(default_factory=dict)  # grade_id -> code added at the cell's end
    messages: dict[str, str] = field(default_factory=dict)  # test -> text its message must contain


NAIVE = frozenset({"test_naive_forecast"})

# Appended to a training cell: wraps the trained model so that its output for each window is the
# last value of the *next* window in the same batch, which is this window's target. Forecast in
# one batch in time order it is nearly perfect; forecast one window at a time it is the naive forecast.
BATCH_LOOKAHEAD = """
_honest = model
_inputs = tf.keras.Input(_honest.inputs[0].shape[1:])
_peek = tf.keras.layers.Lambda(
    lambda x: __import__("tensorflow").concat(
        [
            __import__("tensorflow").reshape(x, (__import__("tensorflow").shape(x)[0], -1))[1:, -1:],
            __import__("tensorflow").reshape(x, (__import__("tensorflow").shape(x)[0], -1))[-1:, -1:],
        ],
        axis=0,
    )
)(_inputs)
model = tf.keras.Model(_inputs, _peek + 0.0 * _honest(_inputs))
model.compile(loss="mse", optimizer=_honest.optimizer)  # the trained optimizer: it has taken steps
"""
LOOKAHEAD_MESSAGE = "change when other windows share its batch"

ENTRIES = [
    Entry("alice_reference", score=WEEK1_FULL),
    Entry("blank_release", base="release", score=0.0),
    # Malformed files: a clear reason and a zero.
    Entry("invalid_json", base="file", file="truncated.ipynb", score=0.0, notes=("not valid notebook JSON",)),
    Entry("empty_file", base="file", file="empty.ipynb", score=0.0, notes=("empty",)),
    Entry("binary_file", base="file", file="binary.ipynb", score=0.0, notes=("binary",)),
    Entry("not_utf8", base="file", file="latin1.ipynb", score=0.0, notes=("not UTF-8",)),
    Entry(
        "json_without_cells", base="file", file="no_cells.ipynb", score=0.0, notes=("not a Jupyter notebook",)
    ),
    Entry("no_notebook_in_folder", base="none", score=0.0, notes=("no notebook",)),
    Entry("other_assignment", metadata_assignment="week2", score=0.0, notes=("marked as week2's notebook",)),
    Entry(
        "renamed_notebook",
        filename="my answers (final).ipynb",
        score=WEEK1_FULL,
        notes=("expected to be named",),
    ),
    # Structural damage: graded with what is there.
    Entry("duplicate_cell_ids", cells={"__all_ids__": "dup"}, score=WEEK1_FULL),
    Entry(
        "deleted_exercise_cell",
        cells={"seasonal_difference": None},
        score=WEEK1_FULL - 7,  # the three forecasts built on seasonal_difference fail with it
        notes=("`seasonal_difference` is missing",),
        failed=frozenset(
            {
                "test_seasonal_difference",
                "test_diff_plus_past_forecast",
                "test_diff_plus_smoothed_past_forecast",
                "test_forecast_mae_threshold",
            }
        ),
    ),
    Entry("deleted_test_cell", cells={"test_naive_forecast": None}, score=WEEK1_FULL, notes=("was deleted",)),
    Entry(
        "edited_test_cell_on_blank",
        base="release",
        cells={"test_naive_forecast": "print('All tests passed.')"},
        score=0.0,
        notes=("`test_naive_forecast` was edited",),
    ),
    Entry(
        "syntax_error",
        cells={"naive_forecast": "def naive_forecast(series, split_time)\n    return series"},
        score=WEEK1_FULL - 1,
        notes=("raised", "SyntaxError"),
        failed=NAIVE,
    ),
    # Runaway code: stopped, reported, and the rest still graded.
    Entry(
        "infinite_loop",
        cells={"naive_forecast": "while True:\n    pass"},
        score=WEEK1_FULL - 1,
        notes=("did not finish within",),
        failed=NAIVE,
    ),
    Entry(
        "sleep_past_limit",
        extra="import time\ntime.sleep(10**6)",
        score=WEEK1_FULL,
        notes=("did not finish within",),
    ),
    # The output limit (2 MB) is reached after about two thousand prints, a fraction of a second: it always
    # fires before the cell's time limit.
    Entry(
        "print_flood",
        extra="while True:\n    print('spam ' * 200)",
        score=WEEK1_FULL,
        notes=("printed more than",),
    ),
    Entry("os_exit", extra="import os\nos._exit(0)", score=WEEK1_FULL, notes=("process ended",)),
    Entry(
        "kill_own_process",
        extra="import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
        score=WEEK1_FULL,
        notes=("process ended",),
    ),
    Entry("sys_exit", extra="import sys\nsys.exit(3)", score=WEEK1_FULL, notes=("SystemExit",)),
    Entry(
        "fork_bomb",
        extra="import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
        score=WEEK1_FULL,
        notes=("extra cell 1 after `train_val_split` did not finish",),
    ),
    # Memory runs out through the per-process address-space limit (prlimit --as), which counts memory
    # reserved, not memory written. `bytes(n)` reserves its zeroed pages without writing them (calloc), so
    # the bomb reaches the limit in milliseconds on any machine and always raises MemoryError. Writing the
    # pages (`bytearray(n)`) takes seconds of CPU per GB: on a busy machine the cell's time limit fired first
    # and the note said "did not finish" instead. The first stop is now the one this entry is about.
    Entry(
        "memory_bomb",
        extra="hog = []\nwhile True:\n    hog.append(bytes(200 * 2**20))",
        score=WEEK1_FULL,
        notes=("raised MemoryError",),
    ),
    Entry(
        "hang_in_function",
        cells={"naive_forecast": "def naive_forecast(series, split_time):\n    while True:\n        pass"},
        score=WEEK1_FULL - 1,
        failed=NAIVE,
    ),
    # Attempts to fake a score or to escape: no points that were not earned, nothing leaks.
    Entry("monkeypatch_checks_on_blank", base="release", extra=MONKEYPATCH, score=0.0),
    Entry("fake_result_file_on_blank", base="release", extra=FAKE_RESULTS, score=0.0),
    Entry("patch_runner_on_blank", base="release", extra=PATCH_RUNNER, score=0.0),
    Entry("read_secrets", cells={"naive_forecast": READ_SECRETS}, score=WEEK1_FULL - 1, failed=NAIVE),
    Entry("network", cells={"naive_forecast": NETWORK}, score=WEEK1_FULL - 1, failed=NAIVE),
    Entry("write_outside", extra=WRITE_OUTSIDE, score=WEEK1_FULL),
    # Other weeks' notebooks: malformed, blank and hostile-on-blank.
    Entry("week2_invalid_json", assignment="week2", base="file", file="truncated.ipynb", score=0.0),
    Entry("week2_blank_monkeypatch", assignment="week2", base="release", extra=MONKEYPATCH, score=0.0),
    Entry(
        "week3_other_assignment",
        assignment="week3",
        metadata_assignment="week1",
        score=0.0,
        notes=("marked as week1's notebook",),
    ),
    Entry(
        "week3_blank_os_exit", assignment="week3", base="release", extra="import os\nos._exit(0)", score=0.0
    ),
    Entry("week4_binary", assignment="week4", base="file", file="binary.ipynb", score=0.0, notes=("binary",)),
    Entry("week4_blank_fake_results", assignment="week4", base="release", extra=FAKE_RESULTS, score=0.0),
    # Models that read the answer across the forecast batch: graded on each window alone.
    Entry(
        "week2_batch_lookahead",
        assignment="week2",
        append={"train_model": BATCH_LOOKAHEAD},
        score=8.0 - 3,
        failed=frozenset({"test_forecast_mse_threshold"}),
        messages={"test_forecast_mse_threshold": LOOKAHEAD_MESSAGE},
    ),
    Entry(
        "week3_batch_lookahead",
        assignment="week3",
        append={"train_model": BATCH_LOOKAHEAD},
        score=7.0 - 3,
        failed=frozenset({"test_forecast_mae_threshold"}),
        messages={"test_forecast_mae_threshold": LOOKAHEAD_MESSAGE},
    ),
    Entry(
        "week4_batch_lookahead",
        assignment="week4",
        append={"train": BATCH_LOOKAHEAD},
        # model_forecast's own batched forecast no longer matches the grader's: it fails too.
        score=10.0 - 3 - 2,
        failed=frozenset({"test_forecast_mae_threshold", "test_model_forecast"}),
        messages={"test_forecast_mae_threshold": LOOKAHEAD_MESSAGE},
    ),
    # Week 5: hostile code on the blank, and a model that reads the answer across the batch.
    Entry("week5_blank_monkeypatch", assignment="week5", base="release", extra=MONKEYPATCH, score=0.0),
    Entry("week5_blank_fake_results", assignment="week5", base="release", extra=FAKE_RESULTS, score=0.0),
    Entry(
        "week5_batch_lookahead",
        assignment="week5",
        append={"train": BATCH_LOOKAHEAD},
        score=10.0 - 2 - 1,
        failed=frozenset({"test_forecast_mae_threshold", "test_model_forecast"}),
        messages={"test_forecast_mae_threshold": LOOKAHEAD_MESSAGE},
    ),
]
