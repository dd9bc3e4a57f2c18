"""Helpers shared by the tests: write descriptions to a temporary folder and build chips from them."""

from __future__ import annotations

import gzip
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from neurochip.chip import build_chip
from neurochip.description import load_scenario
from neurochip.kernel.engine import Engine
from neurochip.ledger import Ledger
from neurochip.randomness import Streams

REPO = Path(__file__).resolve().parent.parent


def lif(**overrides) -> dict:
    params = {"tau": "10 ms", "v_th": 1.0, "v_reset": 0.0, "refractory": "2 ms"}
    params.update(overrides)
    return params


def one_core_chip(rows=4, cols=3, row_neurons=None, col_neurons=None, tick="1 us", latency="100 ns") -> dict:
    neurons = {}
    if row_neurons is not None:
        neurons["rows"] = row_neurons
    if col_neurons is not None:
        neurons["cols"] = col_neurons
    return {"name": "chip", "clock": {"tick": tick}, "router": {"latency": latency},
            "cores": [{"name": "c", "array": {"rows": rows, "cols": cols}, "neurons": neurons}]}


def write_idx(path, array, code):
    """Write ``array`` as an IDX file (type code 0x08 unsigned bytes or 0x0D floats), gzipped for .gz."""
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    body = array.astype({0x08: ">u1", 0x0D: ">f4"}[code]).tobytes()
    data = header + body
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


class Sim:
    """A chip built from descriptions, with every spike logged as (sender, side, tick, ids)."""

    def __init__(self, setup):
        self.setup = setup
        self.engine = Engine(setup.chip.clock.tick)
        self.ledger = Ledger()
        self.chip = build_chip(setup, self.engine, self.ledger, Streams(setup.scenario.seed))
        self.log: list[tuple[str, str, int, np.ndarray]] = []
        self.chip.router.observers.append(lambda s, side, t, ids: self.log.append((s, side, t, ids.copy())))

    def run(self, seconds: float | None = None):
        until = self.engine.ticks(seconds if seconds is not None else self.setup.scenario.duration)
        self.engine.run(until)
        return self

    def spikes(self, sender: str, side: str) -> list[tuple[int, int]]:
        """(tick, neuron) pairs in time order."""
        return [(t, int(i)) for s, d, t, ids in self.log if (s, d) == (sender, side) for i in ids]


@pytest.fixture
def write(tmp_path):
    """write(name, data) -> path of a YAML file in a fresh folder."""
    def _write(name: str, data: dict) -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path
    return _write


@pytest.fixture
def simulate(write):
    """simulate(chip_dict, scenario_dict) -> Sim, built but not yet run."""
    def _simulate(chip: dict, scenario: dict) -> Sim:
        write("chip.yaml", chip)
        scenario = {"name": "test", "chip": "chip.yaml", "duration": "10 ms", **scenario}
        return Sim(load_scenario(write("scenario.yaml", scenario)))
    return _simulate


def default_sigint() -> None:
    """For a child process: take SIGINT as a terminal's Ctrl-C does. A test suite started in
    the background of a non-interactive shell inherits SIGINT ignored, and Python then
    installs no KeyboardInterrupt handler in its children."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ignored_sigint() -> None:
    """For a child process: start with SIGINT ignored, as a script's background job does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_then_ctrl_c(scenario: Path, out: Path, trace_name: str, after: float,
                    preexec=default_sigint) -> subprocess.CompletedProcess:
    """Run a scenario through the CLI, send SIGINT ``after`` s once its trace exists; wait for the exit."""
    process = subprocess.Popen([sys.executable, "-m", "neurochip.cli", "run", str(scenario), "--out", str(out),
                                "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=preexec)
    deadline = time.monotonic() + 60
    while not (out / trace_name).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def reduced(source: Path, folder: Path, epochs: int = 1, **data) -> Path:
    """A copy of a shipped learning or training scenario with a smaller data set and fewer
    epochs, its chip paths made absolute."""
    scenario = yaml.safe_load(source.read_text())
    for entry in [scenario, *scenario.get("variants", [])]:
        if entry.get("chip"):
            entry["chip"] = str((source.parent / entry["chip"]).resolve())
    block = scenario.get("learning") or scenario["training"]
    block["data"].update(data)
    block["epochs"] = epochs
    block.pop("evaluate_every", None)
    for use in ("reconstruct", "generate"):
        if use in block:
            block[use]["duration"] = "20 ms"
    if "reconstruct" in block:
        block["reconstruct"]["count"] = 2
    path = folder / source.name
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path
