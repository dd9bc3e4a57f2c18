"""Chip and scenario descriptions: units parsed once, every problem located and reported together."""

import numpy as np
import pytest

from conftest import REPO, lif, one_core_chip
from neurochip.description import check_file, load_chip, load_scenario
from neurochip.description.units import parse_quantity
from neurochip.errors import DescriptionError


@pytest.mark.parametrize("text, kind, value", [
    ("20 ms", "time", 0.02), ("1 us", "time", 1e-6), ("5 µs", "time", 5e-6), ("100 ns", "time", 1e-7),
    ("1 day", "time", 86400.0), ("775 min", "time", 46500.0), ("25 uS", "conductance", 2.5e-5),
    ("0.7 pJ", "energy", 7e-13), ("200 Hz", "frequency", 200.0), ("0.2 V", "voltage", 0.2),
])
def test_quantities_become_exact_si_floats(text, kind, value):
    assert parse_quantity(text, kind) == value  # exact: decimal arithmetic, no 2.4999999999999998e-05


@pytest.mark.parametrize("text, fragment", [
    ("20 kg", "wrong unit"), ("20", "missing unit"), (20, "missing unit"), ("twenty ms", "cannot read"),
    (True, "expected a time"),
])
def test_bad_quantities_say_what_was_expected(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_quantity(text, "time")


def test_zero_needs_no_unit():
    assert parse_quantity(0, "time") == 0.0


@pytest.mark.parametrize("name", ["tiny.yaml", "ishii2019-6t2r-rbm.yaml"])
def test_shipped_chips_are_valid(name):
    chip, _ = load_chip(REPO / "chips" / name)
    assert chip.clock.tick == 1e-6


def test_rbm_chip_has_the_published_size():
    chip, _ = load_chip(REPO / "chips" / "ishii2019-6t2r-rbm.yaml")
    (core,) = chip.cores
    assert (core.array.rows, core.array.cols) == (832, 832)
    assert core.array.rows + core.array.cols == 1664  # neurons on both sides (Ishii et al., IEDM 2019)
    assert core.neurons.cols.refractory == 4e-3 and core.neurons.cols.tau == 1e-3


def test_shipped_scenarios_are_valid():
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        assert check_file(path) == "scenario"


def problems_of(path):
    with pytest.raises(DescriptionError) as caught:
        check_file(path)
    return [(p.path, p.line, p.message) for p in caught.value.problems]


def test_every_chip_problem_is_reported_at_once_with_its_line(write):
    chip = one_core_chip(col_neurons=lif(tau="-1 ms", v_reset=2.0))
    chip["clock"]["tick"] = "1 kg"
    chip["router"]["latency"] = 100
    chip["cores"][0]["array"]["colour"] = "red"
    chip["cores"].append({"name": "c", "array": {"rows": 0}, "neurons": {}})
    found = {(path, message.split(",")[0].split(":")[0]) for path, _, message in problems_of(write("chip.yaml", chip))}
    assert found == {
        ("clock.tick", "wrong unit in '1 kg'"),
        ("router.latency", "missing unit"),
        ("cores[0].array.colour", "unknown key"),
        ("cores[0].neurons.cols.tau", "must be greater than 0.0 (in SI units)"),
        ("cores[0].neurons.cols.v_reset", "must be below v_th (1)"),
        ("cores[1].array.rows", "must be greater than 0"),
        ("cores[1].array.cols", "required key is missing"),
        ("cores[1].name", "name 'c' is used twice in cores"),
    }


@pytest.mark.parametrize("key, span, ok", [
    ("noise.period", "100 us", True), ("noise.period", "300 us", True),
    ("noise.period", "10 us", False), ("noise.period", "150 us", False),
    ("neurons.cols.refractory", "0 ms", True), ("neurons.cols.refractory", "1 ms", True),
    ("neurons.cols.refractory", "50 us", False), ("neurons.cols.refractory", "1.05 ms", False),
    ("controller.window", "200 us", True), ("controller.window", "40 us", False),
])
def test_times_a_core_counts_in_ticks_must_be_whole_ticks(write, key, span, ok):
    # cores act on tick edges: a 10 us walk on a 100 us clock would step every 100 us, ten times too slowly,
    # and a 50 us refractory period would round to none
    chip = one_core_chip(col_neurons=lif(), tick="100 us")
    chip["cores"][0]["noise"] = {"kind": "random-walk", "step": 0.1, "period": "100 us"}
    chip["cores"][0]["controller"] = {"window": "1 ms"}
    *parents, last = key.split(".")
    target = chip["cores"][0]
    for part in parents:
        target = target[part]
    target[last] = span
    if ok:
        load_chip(write("chip.yaml", chip))
    else:
        found = problems_of(write("chip.yaml", chip))
        value = span.replace("1.05 ms", "1050 us")
        assert [(path, message.split(":")[0]) for path, _, message in found] == [
            (f"cores[0].{key}", f"{value} is not a whole number of ticks of the chip's clock (100 us)")]


@pytest.mark.parametrize("change, key, message", [
    # samples come on tick edges: 150 us would be taken every 100 us while the trace says 150
    ({"record": {"state_interval": "150 us"}}, "record.state_interval",
     "150 us is not a whole number of ticks of the chip's clock (100 us): expected a multiple of it, such as 100 us"),
    ({"record": {"conductance_interval": "50 us"}}, "record.conductance_interval",
     "50 us is not a whole number of ticks of the chip's clock (100 us): expected a multiple of it, such as 100 us"),
    ({"duration": "40 us"}, "duration", "40 us is less than one tick of the chip's clock (100 us)"),
    # two spikes of a line in one tick merge; at GHz the draw did not fit in memory
    ({"inputs": [{"kind": "poisson", "name": "p", "to": "c.rows", "size": 2, "rate": ["5 kHz", "20 kHz"]}]},
     "inputs[0].rate", "20000 Hz is more than one spike per tick of the chip's clock (100 us) on a line: "
                       "expected at most 10000 Hz"),
])
def test_a_scenario_s_times_and_rates_fit_the_chip_s_clock(change, key, message, write):
    write("chip.yaml", one_core_chip(col_neurons=lif(), tick="100 us"))
    scenario = {"name": "s", "chip": "chip.yaml", "duration": "10 ms", **change}
    assert [(path, text) for path, _, text in problems_of(write("s.yaml", scenario))] == [(key, message)]
    scenario.update({"duration": "10 ms", "record": {"state_interval": "200 us", "conductance_interval": "1 ms"},
                     "inputs": [{"kind": "poisson", "name": "p", "to": "c.rows", "size": 2, "rate": "10 kHz"}]})
    load_scenario(write("s.yaml", scenario))  # whole ticks, and one spike per tick at most: fine


def test_a_seed_must_fit_the_trace_s_64_bit_integer(write):
    write("chip.yaml", one_core_chip(col_neurons=lif()))
    scenario = {"name": "s", "chip": "chip.yaml", "duration": "1 ms", "seed": 2**63}  # was an h5py TypeError
    assert [(path, text) for path, _, text in problems_of(write("s.yaml", scenario))] == [
        ("seed", f"must be at most {2**63 - 1}, got {2**63}")]


def test_problem_lines_point_into_the_file(tmp_path):
    path = tmp_path / "chip.yaml"
    path.write_text("name: x\ncores:\n  - name: c\n    array: {rows: 2, cols: 2}\n"
                    "    neurons:\n      cols: {tau: 3 kg}\n")
    (problem,) = problems_of(path)
    assert problem[:2] == ("cores[0].neurons.cols.tau", 6)


def test_scenario_cross_checks_are_reported_with_schema_problems(write, tmp_path):
    write("chip.yaml", one_core_chip(rows=4, cols=3, col_neurons=lif()))
    np.save(tmp_path / "w.npy", np.zeros((3, 3)))
    scenario = {
        "name": "s", "chip": "chip.yaml", "duration": "-5 ms",
        "inputs": [
            {"kind": "poisson", "name": "p", "to": "c.rows", "size": 5, "rate": "1 Hz"},  # 5 > 4 rows
            {"kind": "poisson", "name": "q", "to": "nope.rows", "size": 1, "rate": "1 Hz"},
            {"kind": "spike-times", "name": "r", "to": "c.cols", "size": 1, "file": "missing.npz"},
            {"kind": "poisson", "name": "s", "to": "c.rows", "size": 2, "rate": "2 ms"},
        ],
        "routes": [{"from": "c.rows", "to": "c.rows"}],
        "weights": {"c": {"file": "w.npy"}, "d": {"constant": 1.0}},
    }
    found = {(path, message) for path, _, message in problems_of(write("s.yaml", scenario))}
    paths = {path for path, _ in found}
    assert paths == {"duration", "inputs[0]", "inputs[1].to", "inputs[2].to", "inputs[2].file", "inputs[3].rate",
                     "routes[0].from", "weights.c.file", "weights.d"}
    assert ("inputs[0]", "5 channels from line 0 do not fit the 4 lines of c.rows") in found
    assert any("expected an array of shape (4, 3), the file holds (3, 3)" in m for _, m in found)


@pytest.mark.parametrize("weights, message", [
    (np.full((4, 3), "a"), "expected real numbers (weights), the file holds <U1"),  # was a float() traceback
    (np.ones((4, 3), complex), "expected real numbers (weights), the file holds complex128"),  # imaginary part dropped
    (np.where(np.eye(4, 3) > 0, np.nan, 0.5), "expected finite weights, the file holds 3 NaN or inf"),
])
def test_a_weights_file_must_hold_finite_real_numbers(weights, message, write, tmp_path):
    write("chip.yaml", one_core_chip(rows=4, cols=3, col_neurons=lif()))
    np.save(tmp_path / "w.npy", weights)
    scenario = {"name": "s", "chip": "chip.yaml", "duration": "1 ms", "weights": {"c": {"file": "w.npy"}}}
    assert [(path, text) for path, _, text in problems_of(write("s.yaml", scenario))] == [("weights.c.file", message)]


def test_missing_chip_file_is_named(write):
    (problem,) = problems_of(write("s.yaml", {"name": "s", "chip": "gone.yaml", "duration": "1 ms"}))
    assert problem[0] == "chip" and "chip file not found" in problem[2]


def test_loading_never_runs_code_from_a_file(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(f"name: !!python/object/apply:os.system ['touch {marker}']\ncores: []\n")
    (problem,) = problems_of(path)
    assert "not valid YAML" in problem[2]
    assert not marker.exists()


def test_keys_written_twice_are_errors(tmp_path):
    path = tmp_path / "chip.yaml"
    path.write_text("name: a\nname: b\ncores: []\n")
    assert problems_of(path) == [("name", 2, "key written twice")]


def test_spike_file_contents_are_checked(write, tmp_path):
    write("chip.yaml", one_core_chip(rows=4, cols=3, col_neurons=lif()))
    np.savez(tmp_path / "bad.npz", t=np.array([0.001, -1.0]), neuron=np.array([0, 1]))
    np.savez(tmp_path / "good.npz", t=np.array([0.001, 0.002]), neuron=np.array([0, 3]))
    source = {"kind": "spike-times", "name": "x", "to": "c.rows", "size": 4, "file": "bad.npz"}
    scenario = {"name": "s", "chip": "chip.yaml", "duration": "1 ms", "inputs": [source]}
    ((_, _, message),) = problems_of(write("s.yaml", scenario))
    assert "'t' must hold finite times >= 0" in message
    np.savez(tmp_path / "words.npz", t=np.array(["1 ms", "2 ms"]), neuron=np.array([0, 1]))  # was a float() traceback
    source["file"] = "words.npz"
    ((_, _, message),) = problems_of(write("s.yaml", scenario))
    assert "'t' must hold finite times >= 0" in message
    source["file"] = "good.npz"
    setup = load_scenario(write("s.yaml", scenario))
    np.testing.assert_array_equal(setup.spike_files["x"][1], [0, 3])


def test_seed_override():
    setup = load_scenario(REPO / "scenarios" / "tiny-feedforward.yaml", seed=123)
    assert setup.scenario.seed == 123


def test_device_descriptions_are_checked(write):
    chip = one_core_chip(col_neurons=lif())
    chip["cores"][0]["device"] = {"model": "pcm", "g_max": "25 uS", "g_min": "30 uS", "dw_min": 2, "sparkle": 1,
                                  "refresh": {"threshold": 1.5}}
    found = {(path, message) for path, _, message in problems_of(write("chip.yaml", chip))}
    assert found == {
        ("cores[0].device.g_min", "must be below g_max (2.5e-05 S), got 3e-05 S"),
        ("cores[0].device.dw_min", "must be less than 1.0, got 2"),
        ("cores[0].device.sparkle", "unknown key"),
        ("cores[0].device.refresh.threshold", "must be at most 1.0, got 1.5"),
    }
    chip["cores"][0]["device"] = {"model": "memristor"}
    ((path, _, message),) = problems_of(write("chip.yaml", chip))
    assert path == "cores[0].device" and "'memristor'" in message


def test_the_rbm_chip_holds_pcm_pairs_with_the_published_range():
    chip, _ = load_chip(REPO / "chips" / "ishii2019-6t2r-rbm.yaml")
    device = chip.cores[0].device
    assert device.model == "pcm" and device.g_max == 25e-6 and device.refresh.threshold == 0.9
    assert chip.cores[0].read.pulse_width == 80e-9
