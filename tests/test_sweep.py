"""Sweeps on a local Dask cluster: same results as runs one by one, failures recorded, reruns skip."""

import csv
import os

import numpy as np
import pytest

from conftest import REPO, default_sigint
from neurochip.cli import main
from neurochip.description import load_scenario
from neurochip.runner import run_scenario
from neurochip.sweep import Setting, Summary, execute, plan
from neurochip.traces import Trace

SCENARIO = REPO / "scenarios" / "tiny-feedforward.yaml"
SETTINGS = ["--set", "inputs[0].rate=100 Hz,400 Hz", "--set", "duration=20 ms", "--seeds", "2"]


def rows(folder):
    with open(folder / "summary.csv") as handle:
        return list(csv.DictReader(handle))


def spikes_of(path):
    with Trace(path) as trace:
        return {(s, side): trace.spikes(s, side)[0] for s, side, _, _ in trace.spike_groups()}


def test_a_sweep_equals_its_runs_done_one_by_one(tmp_path, capsys):
    assert main(["sweep", str(SCENARIO), *SETTINGS, "--out", str(tmp_path / "sw"), "--quiet"]) == 0
    table = rows(tmp_path / "sw")
    assert len(table) == 4 and {r["status"] for r in table} == {"complete"}
    assert {(r["inputs[0].rate"], r["seed"]) for r in table} == \
        {("100 Hz", "7"), ("100 Hz", "8"), ("400 Hz", "7"), ("400 Hz", "8")}
    for row in table:
        rate = row["inputs[0].rate"].replace(" ", "_")
        folder = tmp_path / "sw" / "runs" / f"rate={rate}_duration=20_ms_seed={row['seed']}"
        alone = run_scenario(load_scenario(folder / "scenario.yaml"), tmp_path / "alone" / folder.name, progress=False)
        swept, single = spikes_of(row["trace"]), spikes_of(alone.path)
        assert swept.keys() == single.keys()
        for key in swept:
            np.testing.assert_array_equal(swept[key], single[key])
        with Trace(alone.path) as trace:
            assert int(row["spikes"]) == sum(n for _, k, _, n in trace.ledger() if k == "spike")
    # four times the input rate, more spikes: the setting reached the runs
    by_rate = {v: sum(int(r["spikes"]) for r in table if r["inputs[0].rate"] == v) for v in ("100 Hz", "400 Hz")}
    assert by_rate["400 Hz"] > 2 * by_rate["100 Hz"]


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path, monkeypatch):
    from dask.distributed import LocalCluster

    import neurochip.sweep as sweep

    runs = plan(SCENARIO, [Setting.parse("weights.b.constant=0.3,0.6"), Setting.parse("duration=10 ms")], 1, tmp_path)
    real = sweep.run_one

    def flaky(scenario_file):
        if "constant=0.6" in scenario_file:
            raise RuntimeError("the chip caught fire")
        return real(scenario_file)

    monkeypatch.setattr(sweep, "run_one", flaky)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        execute(runs, Summary(tmp_path, ["weights.b.constant", "duration"]), cluster.scheduler_address, progress=False)
    table = {r["weights.b.constant"]: r for r in rows(tmp_path)}
    assert table["0.6"]["status"] == "failed" and "the chip caught fire" in table["0.6"]["error"]
    assert table["0.3"]["status"] == "complete" and int(table["0.3"]["spikes"]) > 0


def test_running_a_sweep_again_skips_finished_runs(tmp_path, capsys):
    args = ["sweep", str(SCENARIO), "--set", "duration=10 ms,15 ms", "--out", str(tmp_path), "--quiet"]
    assert main(args) == 0
    stamps = {r["trace"]: os.stat(r["trace"]).st_mtime_ns for r in rows(tmp_path)}
    assert main(args) == 0
    table = rows(tmp_path)
    assert {r["status"] for r in table} == {"skipped (done before)"}
    assert {r["trace"]: os.stat(r["trace"]).st_mtime_ns for r in table} == stamps
    assert main(["plot", str(tmp_path / "summary.csv"), "--x", "duration", "--y", "spikes"]) == 2  # not numbers
    assert main(["sweep", str(SCENARIO), "--set", "weights.b.constant=0.3,0.6", "--out", str(tmp_path / "w"),
                 "--quiet"]) == 0
    assert main(["plot", str(tmp_path / "w" / "summary.csv"), "--y", "spikes"]) == 0
    assert (tmp_path / "w" / "spikes.png").stat().st_size > 0


@pytest.mark.parametrize("option, message", [
    ("chip.cores[0].noise.sigma=0.1", "--set chip.cores[0].noise.sigma: no key 'noise'"),
    ("weights.b.constant=0.3,fast", "weights.b.constant"),
    ("duration", "expected KEY.PATH=V1,V2"),
])
def test_bad_settings_stop_the_sweep_before_any_run(option, message, tmp_path, capsys):
    assert main(["sweep", str(SCENARIO), "--set", option, "--out", str(tmp_path / "sw")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "sw").exists()


def test_ctrl_c_keeps_every_finished_run_and_a_rerun_goes_on_from_there(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    args = [sys.executable, "-m", "neurochip.cli", "sweep", str(SCENARIO), "--set", "duration=4 s,4.5 s,5 s",
            "--out", str(tmp_path), "--workers", "1", "--quiet"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=default_sigint)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait for the first finished run
        if (tmp_path / "summary.csv").exists() and any(r["status"] == "complete" for r in rows(tmp_path)):
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130 and "neurochip: interrupted" in err, err[-2000:]
    kept = [r for r in rows(tmp_path) if r["status"] == "complete"]
    assert 1 <= len(kept) < 3
    assert main(["sweep", str(SCENARIO), "--set", "duration=4 s,4.5 s,5 s", "--out", str(tmp_path), "--quiet"]) == 0
    statuses = [r["status"] for r in rows(tmp_path)]
    # the runs kept are skipped (and any a worker finished after the summary's last row)
    assert len(statuses) == 3 and set(statuses) <= {"skipped (done before)", "complete"}
    assert statuses.count("skipped (done before)") >= len(kept)


def test_an_unreachable_scheduler_stops_the_sweep_before_it_writes_anything(tmp_path, capsys):
    import dask

    out = tmp_path / "sweep"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):  # Dask's default waits 30 s
        assert main(["sweep", str(SCENARIO), "--scheduler", "tcp://127.0.0.1:1", "--out", str(out), "--quiet"]) == 2
    assert "--scheduler tcp://127.0.0.1:1: no Dask scheduler answered" in capsys.readouterr().err
    assert not out.exists()
