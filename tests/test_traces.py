"""HDF5 traces: layout, streaming, reproducibility, the ledger inside, and Ctrl-C."""

from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import REPO, ignored_sigint, lif, one_core_chip, run_then_ctrl_c
from neurochip.description import load_scenario
from neurochip.errors import TraceError
from neurochip.runner import run_scenario, trace_path
from neurochip.traces import Trace
from neurochip.traces.writer import _Appender


def test_trace_holds_spikes_state_ledger_and_descriptions(tmp_path):
    setup = load_scenario(REPO / "scenarios" / "tiny-feedforward.yaml")
    result = run_scenario(setup, tmp_path, progress=False)
    with Trace(result.path) as trace:
        assert trace.status == "complete"
        assert trace.duration == pytest.approx(0.2)
        assert trace.meta["seed"] == 7 and trace.meta["chip"] == "tiny"
        assert trace.text("scenario_yaml") == (REPO / "scenarios" / "tiny-feedforward.yaml").read_text()
        assert "numpy" in trace.meta["versions"]
        ledger = {(core, kind): n for core, kind, _, n in trace.ledger()}
        for sender, side, _, size in trace.spike_groups():
            t, neuron = trace.spikes(sender, side)
            assert np.all(np.diff(t) >= 0) and (neuron.size == 0 or neuron.max() < size)
        # the ledger agrees with the recorded spikes, and reads with spikes x fan-out
        for core in ("a", "b"):
            recorded = sum(len(trace.spikes(core, side)[0]) for s, side, _, _ in trace.spike_groups() if s == core)
            assert ledger[(core, "spike")] == recorded
        a_rows, a_cols = len(trace.spikes("a", "rows")[0]), len(trace.spikes("a", "cols")[0])
        noise = len(trace.spikes("noise", "out")[0])
        assert ledger[("a", "row_read")] == a_rows + noise  # row neurons' own spikes plus input spikes
        assert ledger[("a", "col_read")] == a_cols
        assert ledger[("a", "synaptic_op")] == (a_rows + noise) * 8 + a_cols * 16
        assert ledger[("b", "row_read")] == a_cols + len(trace.spikes("probe", "out")[0])
        t, v = trace.state("a", "cols")
        assert v.shape == (len(t), 8) and t[1] - t[0] == pytest.approx(0.5e-3)
        assert np.all(v < 1.0)  # sampled after FIRE: nobody sits above threshold


def test_same_seed_same_trace_bit_for_bit(tmp_path):
    setup = load_scenario(REPO / "scenarios" / "tiny-feedforward.yaml")
    paths = [run_scenario(setup, tmp_path / str(i), progress=False).path for i in range(2)]
    other = run_scenario(load_scenario(REPO / "scenarios" / "tiny-feedforward.yaml", seed=8),
                         tmp_path / "2", progress=False).path

    def datasets(path):
        out = {}
        with h5py.File(path) as f:
            f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
        return out

    first, second, third = datasets(paths[0]), datasets(paths[1]), datasets(other)
    assert first.keys() == second.keys()
    for name in first:
        assert np.array_equal(first[name], second[name]), name
    assert not np.array_equal(first["spikes/noise/out/t"], third["spikes/noise/out/t"])


def test_appender_keeps_memory_bounded(tmp_path):
    with h5py.File(tmp_path / "x.h5", "w") as f:
        appender = _Appender(f, "t", np.float64, bound=1000)
        for i in range(500):
            appender.append(np.full(7, float(i)))
            assert appender.buffered < 1000
        appender.flush()
        assert f["t"].shape == (3500,) and f["t"][-1] == 499.0


def test_traces_are_never_overwritten(tmp_path):
    (tmp_path / "run-seed1.h5").write_bytes(b"precious")
    assert trace_path(tmp_path, "run", 1).name == "run-seed1-1.h5"
    assert (tmp_path / "run-seed1.h5").read_bytes() == b"precious"


def test_reader_errors_name_the_file(tmp_path):
    with pytest.raises(TraceError, match="not found"):
        Trace(tmp_path / "missing.h5")
    (tmp_path / "text.h5").write_text("hello")
    with pytest.raises(TraceError, match="not a readable HDF5 file"):
        Trace(tmp_path / "text.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = 1
    with pytest.raises(TraceError, match="not a neurochip trace"):
        Trace(tmp_path / "other.h5")


def driven_core_scenario(write, name: str, duration: str) -> Path:
    """One 32 x 32 core driven by 200 Hz Poisson lines for ``duration``, state sampled every ms, seed 2."""
    chip = one_core_chip(rows=32, cols=32, row_neurons=lif(tau="1 ms"), col_neurons=lif(tau="1 ms"))
    write("chip.yaml", chip)
    scenario = {"name": name, "chip": "chip.yaml", "duration": duration, "seed": 2,
                "inputs": [{"kind": "poisson", "name": "p", "to": "c.rows", "size": 32, "rate": "200 Hz"}],
                "weights": {"c": {"normal": [0.0, 0.3]}},
                "record": {"state_interval": "1 ms", "flush_interval": "200 ms"}}
    return write(f"{name}.yaml", scenario)


def test_ctrl_c_leaves_a_readable_trace_up_to_the_interrupt(write, tmp_path):
    path = driven_core_scenario(write, "long", "1 day")
    out = tmp_path / "out"
    trace_file = out / "long-seed2.h5"
    run = run_then_ctrl_c(path, out, trace_file.name, after=2.0)
    assert run.returncode == 130, run.stderr
    assert "Traceback" not in run.stderr
    assert "interrupted" in run.stdout
    with Trace(trace_file) as trace:
        assert trace.status == "interrupted"
        assert 0 < trace.duration < 86400
        t, _ = trace.spikes("c", "cols")
        assert t.size > 0 and t.max() <= trace.duration
        ledger = {(core, kind): n for core, kind, _, n in trace.ledger()}
        assert ledger[("c", "spike")] == t.size + len(trace.spikes("c", "rows")[0])
        times, v = trace.state("c", "rows")
        assert times[-1] <= trace.duration and len(times) >= int(trace.duration / 1e-3)


def test_a_run_started_with_sigint_ignored_runs_to_the_end(write, tmp_path):
    """A background job of a script inherits SIGINT ignored; the run keeps ignoring it."""
    out = tmp_path / "out"
    run = run_then_ctrl_c(driven_core_scenario(write, "bg", "3 s"), out, "bg-seed2.h5", after=0.5,
                          preexec=ignored_sigint)
    assert run.returncode == 0, run.stderr
    with Trace(out / "bg-seed2.h5") as trace:
        assert trace.status == "complete" and trace.duration == pytest.approx(3.0)
