"""The command line: the documented commands work; user errors are one line each and exit 2."""

import subprocess
import sys

import pytest

from conftest import REPO
from neurochip.cli import main


def neurochip(*args, cwd=None):
    result = subprocess.run([sys.executable, "-m", "neurochip", *map(str, args)], capture_output=True, text=True,
                            cwd=cwd, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_run_inspect_plot(tmp_path):
    run = neurochip("run", REPO / "scenarios" / "tiny-feedforward.yaml", "--out", tmp_path, "--seed", "3")
    assert run.returncode == 0, run.stderr
    trace = tmp_path / "tiny-feedforward-seed3.h5"
    assert trace.is_file() and str(trace) in run.stdout
    assert "a.cols" in run.stdout and "complete" in run.stdout

    inspect = neurochip("inspect", trace)
    assert inspect.returncode == 0
    for expected in ("status    complete", "seed 3", "200.000 ms simulated", "synaptic_op", "noise.out"):
        assert expected in inspect.stdout

    plot = neurochip("plot", trace, "--out", tmp_path / "figure")
    png = tmp_path / "figure.raster.png"
    assert plot.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "figure.conductance.png").exists()  # ideal devices, no conductances sampled


def test_check_accepts_shipped_files():
    files = sorted(REPO.glob("chips/*.yaml")) + sorted(REPO.glob("scenarios/*.yaml"))
    assert main(["check", *map(str, files)]) == 0


def test_check_reports_problems_one_per_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncores:\n  - name: c\n    array: {rows: 2, cols: two}\n    neurons: {cols: {tau: 1}}\n")
    assert main(["check", str(REPO / "chips" / "tiny.yaml"), str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{bad}:4: cores[0].array.cols: Input should be a valid integer, unable to parse string as an integer, got 'two'",
                   f"{bad}:5: cores[0].neurons.cols.tau: missing unit: expected a time such as '20 ms', got 1"]


@pytest.mark.parametrize("args, message", [
    (["run", "missing.yaml"], "missing.yaml: file not found"),
    (["inspect", "missing.h5"], "missing.h5: trace file not found"),
    (["plot", "missing.h5"], "missing.h5: trace file not found"),
    (["run", str(REPO / "chips" / "tiny.yaml")], "tiny.yaml: this is a chip description (it lists 'cores:'); "
                                                 "expected a scenario (scenarios/*.yaml) here"),
    (["validate", str(REPO / "scenarios" / "quickstart.yaml")], "quickstart.yaml: this is a scenario"),
    (["run", str(REPO / "scenarios" / "tiny-feedforward.yaml"), "--seed", "-1"], "--seed must be"),
    (["run", str(REPO / "scenarios" / "tiny-feedforward.yaml"), "--seed", str(2**63)], "--seed must be a whole "
                                                                                        "number from 0 to"),
])
def test_user_errors_exit_2_with_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_scenario_writes_nothing(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\nchip: {REPO / 'chips' / 'tiny.yaml'}\nduration: 10 kg\n")
    result = neurochip("run", scenario, "--out", tmp_path / "out")
    assert result.returncode == 2 and "duration: wrong unit" in result.stderr
    assert not (tmp_path / "out").exists()


def test_unwritable_output_is_a_user_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = neurochip("run", REPO / "scenarios" / "tiny-feedforward.yaml", "--out", blocker / "sub", "--quiet")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["validate", "--quick"], ["transfer"], ["device-response"]])
def test_an_output_in_a_missing_folder_is_refused_before_the_work(command, tmp_path, capsys):
    # validate used to run its Brian2 comparisons for minutes, then fail on the PNG with a bare errno
    out = tmp_path / "no-such-folder" / "figure.png"
    assert main([command[0], str(REPO / "chips" / "tiny.yaml"), *command[1:], "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"--out {out}: no folder {out.parent} to write into\n" and captured.out == ""


def test_a_trace_s_pictures_in_a_missing_folder_are_refused(tmp_path, capsys):
    assert main(["run", str(REPO / "scenarios" / "tiny-feedforward.yaml"), "--out", str(tmp_path), "--quiet"]) == 0
    (trace,), missing = tmp_path.glob("*.h5"), tmp_path / "no-such-folder"
    capsys.readouterr()
    assert main(["energy", str(trace), "--chart", str(missing / "e.png")]) == 2
    assert main(["plot", str(trace), "--out", str(missing / "stem")]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"--chart {missing / 'e.png'}: no folder {missing} to write into",
                                         f"--out {missing / 'stem'}: no folder {missing} to write into"]
    assert captured.out == "" and not missing.exists()
    assert main(["energy", str(trace), "--json", "--chart", str(missing / "e.png")]) == 0  # --json draws no chart


def test_plot_draws_conductances_and_device_response(tmp_path):
    run = neurochip("run", REPO / "scenarios" / "pcm-drift.yaml", "--out", tmp_path, "--quiet")
    assert run.returncode == 0, run.stderr
    plot = neurochip("plot", tmp_path / "pcm-drift-seed3.h5", "--cells", "0,1,833")
    assert plot.returncode == 0, plot.stderr
    for suffix in ("raster", "conductance"):
        assert (tmp_path / f"pcm-drift-seed3.{suffix}.png").read_bytes()[:4] == b"\x89PNG"
    unsampled = neurochip("plot", tmp_path / "pcm-drift-seed3.h5", "--cells", "0,700000", "--out", tmp_path / "none")
    assert unsampled.returncode == 2 and "--cells 700000 not sampled" in unsampled.stderr
    assert not list(tmp_path.glob("none*"))
    negative_bin = neurochip("plot", tmp_path / "pcm-drift-seed3.h5", "--bin", "-1", "--out", tmp_path / "none")
    assert negative_bin.returncode == 2 and "argument --bin: expected a time in seconds > 0, got '-1'" in negative_bin.stderr
    assert not list(tmp_path.glob("none*"))
    response = neurochip("device-response", REPO / "chips" / "ishii2019-6t2r-rbm.yaml", "--pulses", "50",
                         "--devices", "20", "--out", tmp_path / "r.png")
    assert response.returncode == 0 and (tmp_path / "r.png").is_file()
    assert "pcm: weight after 50 potentiating pulses" in response.stdout
    missing = neurochip("device-response", REPO / "chips" / "tiny.yaml", "--core", "zz")
    assert missing.returncode == 2 and "no core named 'zz'" in missing.stderr


@pytest.mark.parametrize("option, value, message", [
    ("--duration", "0", "argument --duration: expected a time in seconds > 0, got '0'"),
    ("--points", "1", "argument --points: expected a whole number >= 2, got '1'"),
])
def test_transfer_refuses_a_curve_it_cannot_fit(option, value, message, tmp_path):
    # both used to end in a numpy traceback (a NaN fit, an empty reduction)
    result = neurochip("transfer", REPO / "chips" / "tiny.yaml", option, value, "--out", tmp_path / "t.png")
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "t.png").exists()


@pytest.mark.parametrize("args, message", [
    (["sweep", "scenarios/tiny-feedforward.yaml", "--workers", "0"], "argument --workers: expected a whole number >= 1"),
    (["sweep", "scenarios/tiny-feedforward.yaml", "--seeds", "0"], "argument --seeds: expected a whole number >= 1"),
    (["device-response", "chips/tiny.yaml", "--pulses", "0"], "argument --pulses: expected a whole number >= 1"),
])
def test_counts_below_one_are_refused_by_the_argument_parser(args, message, tmp_path):
    result = neurochip(*args, "--out", tmp_path / "out", cwd=REPO)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_reader_that_stops_early_gets_no_error_message():
    # `neurochip check chips/*.yaml | head -1`: the pipe closes before neurochip writes; SIGPIPE's status, no message
    files = sorted(str(p) for p in (REPO / "chips").glob("*.yaml"))
    process = subprocess.Popen([sys.executable, "-m", "neurochip", "check", *files],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait() == 141 and error == ""
