"""The sandbox job protocol: what the grader writes, what the runner reads and answers, both sides.

The runner runs here as an ordinary child process (`isolate=False`, as for a student's own check),
so these tests need neither root nor bubblewrap; the sandbox's isolation is tested elsewhere.
"""

import ast
import json

import numpy as np

from autograder import sandbox
from tscourse.checking import protocol
from tscourse.checking.spec import File, Global, Outcome, call, variable
from tscourse.checking.values import TypedArray

CELLS = [
    (0, "import numpy as np\nWINDOW = 3"),
    (
        1,
        "def total(series, window, path, scale=1):\n    return float(series[-window:].sum()) * scale + len(open(path).read())",
    ),
    (2, "raise ValueError('a broken cell')"),
    (3, "def loop_forever():\n    while True:\n        pass"),
    (4, "answer = [1.0, 2.0]"),
]


def test_the_protocol_imports_nothing_but_numpy_and_its_value_codec():
    """It is copied into each job beside the runner: no grader, no TensorFlow, no course package."""
    tree = ast.parse(open(protocol.__file__).read())
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert imported <= {"__future__", "json", "dataclasses", "pathlib", "typing", "numpy", "values", ""}


def test_a_job_round_trips_between_writer_and_reader(tmp_path):
    job = protocol.JobWriter(tmp_path, cwd="here")
    for index, source in CELLS:
        job.add_cell(index, source, skip=index == 3)
    job.add_probe(
        "p0", call("total", np.arange(5.0), Global("WINDOW"), File("note.txt", b"abc"), scale=np.int64(2))
    )
    job.add_probe("p1", variable("answer"))
    job.add_evaluation("p2", "m0.keras", np.arange(4.0), 2)
    job.write()
    assert json.loads((tmp_path / protocol.JOB_FILE).read_text())["cells"][3] == {
        "index": 3,
        "source": CELLS[3][1],
        "skip": True,
    }
    reader = protocol.JobReader(tmp_path)
    assert reader.spec == job.spec
    assert reader.spec.cwd == "here"
    call_entry = reader.spec.probes[0]
    assert call_entry.args == [{"array": "i0"}, {"global": "WINDOW"}, {"file": "note.txt"}]
    assert call_entry.kwargs == {"scale": {"value": 2}}
    assert (tmp_path / protocol.FILES_DIR / "note.txt").read_bytes() == b"abc"
    resolved = [
        protocol.resolve_argument(arg, {"WINDOW": 3}, reader.inputs, reader.files) for arg in call_entry.args
    ]
    np.testing.assert_array_equal(resolved[0], np.arange(5.0))
    assert resolved[1:] == [3, str(tmp_path / protocol.FILES_DIR / "note.txt")]
    (evaluation,) = reader.spec.evaluations
    assert (evaluation.model, evaluation.window_size) == ("m0.keras", 2)
    np.testing.assert_array_equal(reader.inputs[evaluation.series], np.arange(4.0))


def test_the_runner_answers_each_probe_in_plain_data(tmp_path):
    job = protocol.JobWriter(tmp_path, cwd=".")
    for index, source in CELLS:
        job.add_cell(index, source, skip=index == 3)
    job.add_probe("p0", call("total", np.arange(5.0), Global("WINDOW"), File("note.txt", b"abc"), scale=2))
    job.add_probe("p1", variable("answer"))
    job.add_probe("p2", call("absent"))
    job.add_probe("p3", call("WINDOW"))
    job.add_probe("p4", call("total"))
    job.write()
    run = sandbox.run(
        tmp_path, "execute", 0, sandbox.Limits(cell_seconds=60, total_seconds=120), isolate=False
    )
    assert run.finished, run.output
    cells, _ = protocol.read_output(tmp_path / protocol.OUT_DIR, protocol.CELLS)
    statuses = {status["index"]: status for status in cells["cells"]}
    assert statuses[2]["status"] == "error" and "ValueError: a broken cell" in statuses[2]["error"]
    assert statuses[3] == {"index": 3, "status": "skipped"}
    tree, arrays = protocol.read_output(tmp_path / protocol.OUT_DIR, protocol.PROBES)
    outcomes = {
        key: protocol.decode_probe(tree.get(key), arrays, key) for key in ("p0", "p1", "p2", "p3", "p4", "p9")
    }
    assert outcomes["p0"] == Outcome("value", (2 + 3 + 4) * 2 + 3)
    value = outcomes["p1"].value
    assert isinstance(value, TypedArray) and value.pytype == "list" and value.tolist() == [1.0, 2.0]
    assert outcomes["p2"] == Outcome("missing", detail="p2")
    assert outcomes["p3"] == Outcome("not_callable", detail="p3")
    assert outcomes["p4"].status == "error" and "TypeError" in outcomes["p4"].detail
    assert outcomes["p9"] == Outcome("lost", detail="the grader received no result for this call")
    progress = (tmp_path / protocol.OUT_DIR / protocol.PROGRESS_FILE).read_text().split("\n")
    assert progress[:4] == ["cell 0", "cell 1", "cell 2", "cell 4"] and progress[-2] == protocol.DONE


def test_outputs_the_sandbox_left_half_written_are_not_read(tmp_path):
    (tmp_path / "probes.json").write_text('{"p0": {"kind": "number", "value": 1}}')  # no probes.npz
    assert protocol.read_output(tmp_path, "probes") == (None, {})
    (tmp_path / "cells.json").write_text("[1, 2]")
    np.savez(tmp_path / "cells.npz")
    assert protocol.read_output(tmp_path, "cells") == (None, {})
    protocol.write_data(tmp_path / "big.json", tmp_path / "big.npz", {"x": "y" * 100}, {})
    assert protocol.read_output(tmp_path, "big", max_bytes=50) == (None, {})
    assert protocol.read_output(tmp_path, "big")[0] == {"x": "y" * 100}


def test_forecast_answers_decode_to_values_report_or_error():
    arrays: dict = {}
    answer = protocol.forecast_answer(
        "p1", np.arange(3.0), {"changed_variables": 0, "batch_difference": 0.5}, arrays
    )
    forecast, report, error = protocol.decode_forecast(answer, arrays)
    np.testing.assert_array_equal(forecast, np.arange(3.0))
    assert report == {"changed_variables": 0.0, "batch_difference": 0.5} and error is None
    assert protocol.decode_forecast({"kind": "error", "error": "OSError: no"}, arrays) == (
        None,
        {},
        "OSError: no",
    )
    assert protocol.decode_forecast(None, arrays) == (None, {}, None)
    assert protocol.decode_forecast({"kind": "forecast", "ref": "p7"}, arrays) == (None, {}, None)


def test_progress_lines_name_the_step():
    assert protocol.step_line("cell", 3) == "cell 3" and protocol.step_line(protocol.DONE) == "done"
    assert protocol.parse_step("probe p2") == ("probe", "p2")
    assert protocol.parse_step(None) == ("", "")
