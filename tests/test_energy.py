"""Energy per event: prices, the account of a trace, its report, and the noise-circuit comparison."""

import csv
import json

import h5py
import numpy as np
import pytest

from conftest import REPO, lif, one_core_chip, reduced
from neurochip.cli import main
from neurochip.description import load_chip, load_scenario
from neurochip.energy.account import CELL_READ, STATIC, EnergyError, Prices, account_trace
from neurochip.energy.presets import PJ, PRESETS, SCALE_28NM
from neurochip.ledger import KINDS
from neurochip.runner import run_scenario
from neurochip.traces import Trace


def run(write, tmp_path, chip: dict, scenario: dict):
    write("chip.yaml", chip)
    setup = load_scenario(write("scenario.yaml", {"name": "e", "chip": "chip.yaml", **scenario}))
    return setup, run_scenario(setup, tmp_path / "runs", progress=False)


def quiet_core(**chip_extra) -> dict:
    """One 4 x 3 core with column neurons and no noise: it spends nothing unless driven."""
    return {**one_core_chip(col_neurons=lif()), **chip_extra}


def periodic_input(ms: int) -> dict:
    """A spike on input line 0 every millisecond, then on line 1 half a millisecond later."""
    times = [f"{t} ms" for t in range(1, ms)] + [f"{t + 0.5} ms" for t in range(1, ms)]
    return {"kind": "spike-times", "name": "beat", "to": "c.rows", "size": 4, "times": times,
            "neurons": [0] * (ms - 1) + [1] * (ms - 1)}


def test_every_counted_kind_has_a_price_in_every_preset():
    for preset in PRESETS.values():
        assert set(preset.per_event) == set(KINDS), preset.name
        assert all(price >= 0 for price in preset.per_event.values())
        assert set(KINDS) <= set(preset.sources)


def test_the_28nm_projection_scales_circuits_by_cv2_and_keeps_device_pulses():
    p90, p28 = PRESETS["pcm-90nm"].per_event, PRESETS["pcm-28nm"].per_event
    assert p28["spike"] == pytest.approx(p90["spike"] * SCALE_28NM)
    assert p28["set_pulse"] == p90["set_pulse"] == pytest.approx(0.7 * PJ)
    assert PRESETS["loihi"].per_event["synaptic_op"] == pytest.approx(23.6 * PJ)


def test_a_run_with_no_activity_spends_only_static_energy(write, tmp_path):
    setup, result = run(write, tmp_path, quiet_core(energy={"static_power": "2 uW"}), {"duration": "50 ms"})
    with Trace(result.path) as trace:
        account = account_trace(trace)
    assert {line.kind for line in account.lines if line.energy} == {STATIC}
    assert account.total == pytest.approx(2e-6 * 0.05)


def test_parts_add_up_and_synaptic_ops_are_spikes_times_fan_out(tmp_path):
    setup = load_scenario(REPO / "scenarios" / "tiny-feedforward.yaml")
    result = run_scenario(setup, tmp_path, progress=False)
    with Trace(result.path) as trace:
        account = account_trace(trace)
        end = round(trace.duration / setup.chip.clock.tick)
        tick = setup.chip.clock.tick

        def delivered(sender, side):  # a spike is read one tick after it is sent
            t, _ = trace.spikes(sender, side)
            return int(np.count_nonzero(np.round(t / tick) < end))

        expected_a = (delivered("noise", "out") + delivered("a", "rows")) * 8 + delivered("a", "cols") * 16
        expected_b = (delivered("a", "cols") + delivered("probe", "out")) * 4
        ledger = trace.ledger()
    sops = {core: sum(n for c, k, _, n in ledger if c == core and k == "synaptic_op") for core in ("a", "b")}
    assert sops == {"a": expected_a, "b": expected_b}
    total = account.total
    for part in ("kind", "core", "stage"):
        assert sum(account.by(part).values()) == pytest.approx(total, rel=1e-12)
    prices = PRESETS["pcm-90nm"].per_event
    events = sum(n * prices[k] for _, k, _, n in ledger)
    static = PRESETS["pcm-90nm"].static_power * 2 * result.simulated  # two cores
    assert total == pytest.approx(events + static, rel=1e-12)  # ideal devices: no cell-read physics


def test_energy_of_a_steady_run_grows_linearly_with_its_duration(write, tmp_path):
    totals = []
    for ms in (40, 80, 120):
        _, result = run(write, tmp_path / str(ms), quiet_core(),
                        {"duration": f"{ms} ms", "inputs": [periodic_input(200)], "weights": {"c": {"constant": 0.05}}})
        with Trace(result.path) as trace:
            totals.append(account_trace(trace).total)
    assert totals[2] - totals[1] == pytest.approx(totals[1] - totals[0], rel=1e-9)
    assert totals[1] - totals[0] > 0


def test_cell_reads_cost_v_squared_g_t_of_the_conductances_read(simulate):
    chip = one_core_chip(rows=4, cols=3, col_neurons=lif(), tick="1 us")
    chip["cores"][0]["device"] = {"model": "pcm", "preset": "pcm-nandakumar2020", "g_max": "25 uS", "w_max": 1.0}
    chip["cores"][0]["read"] = {"voltage": "0.3 V", "pulse_width": "100 ns"}
    sim = simulate(chip, {"weights": {"c": {"uniform": [-0.8, 0.8]}},
                          "inputs": [{"kind": "spike-times", "name": "x", "to": "c.rows", "size": 4,
                                      "times": ["1 ms", "1 ms"], "neurons": [0, 2]}]})
    sim.run(2e-3)
    cells = np.array([0, 1, 2, 6, 7, 8])  # rows 0 and 2 of a 4 x 3 array
    g = sim.chip.cores["c"].crossbar.devices.conductances(1e-3, cells)
    read = [v for core, name, _, v in sim.ledger.measures() if (core, name) == ("c", "read_conductance")]
    assert read == [pytest.approx(g["g_plus"].sum() + g["g_minus"].sum(), rel=1e-9)]
    spec, _ = load_chip(sim.setup.chip_document.path)
    from neurochip.energy.account import account

    priced = account(spec, sim.ledger.items(), sim.ledger.measures(), {})
    cell = sum(line.energy for line in priced.lines if line.kind == CELL_READ)
    assert cell == pytest.approx(0.3 ** 2 * 100e-9 * read[0], rel=1e-12)


def test_stages_are_timed_and_a_scenario_can_mark_idle_time(write, tmp_path):
    _, result = run(write, tmp_path, quiet_core(), {"duration": "50 ms", "actions": [
        {"at": "10 ms", "core": "c", "stage": "idle"}]})
    with Trace(result.path) as trace:
        assert trace.stage_seconds() == pytest.approx({"run": 0.01, "idle": 0.04})
        by_stage = account_trace(trace).by("stage")
    assert by_stage["idle"] == pytest.approx(4 * by_stage["run"])


def test_a_missing_price_is_an_error_naming_the_kind(write, tmp_path, capsys):
    prices = Prices("p", {"spike": 1e-12}, 0.0, False, {})
    with pytest.raises(EnergyError, match="'hop'"):
        prices.price("hop", "core0")
    _, result = run(write, tmp_path, quiet_core(), {"duration": "5 ms", "inputs": [periodic_input(4)]})
    with h5py.File(result.path, "r+") as f:
        kinds = f["ledger/kind"].asstr()[:]
        kinds[0] = "warp_drive"
        f["ledger/kind"][...] = np.array(kinds, dtype=object)
    assert main(["energy", str(result.path)]) == 2
    err = capsys.readouterr().err
    assert "'warp_drive'" in err and "energy.overrides" in err and "Traceback" not in err


@pytest.mark.parametrize("energy, message", [
    ({"preset": "pcm-7nm"}, "energy.preset: unknown energy preset 'pcm-7nm'"),
    ({"overrides": {"warp_drive": "1 pJ"}}, "energy.overrides: unknown event kind 'warp_drive'"),
    ({"overrides": {"spike": 3}}, "energy.overrides.spike: missing unit"),
    ({"static_power": "3 pJ"}, "energy.static_power: wrong unit"),
])
def test_bad_energy_blocks_are_reported_with_their_key_path(write, energy, message, capsys):
    path = write("chip.yaml", quiet_core(energy=energy))
    assert main(["check", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_energy_command_prints_the_table_json_and_chart(write, tmp_path, capsys):
    _, result = run(write, tmp_path, quiet_core(energy={"overrides": {"spike": "2 pJ"}}),
                    {"duration": "20 ms", "inputs": [periodic_input(20)], "weights": {"c": {"constant": 0.6}}})
    assert main(["energy", str(result.path), "--chart", str(tmp_path / "e.png")]) == 0
    out = capsys.readouterr().out
    assert "per synaptic op" in out and "5.39 pJ" in out and "by stage" in out
    assert (tmp_path / "e.png").stat().st_size > 0
    assert main(["energy", str(result.path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by_kind"]["spike"]["price"] == pytest.approx(2e-12)
    assert data["by_kind"]["spike"]["source"] == "chip file override"
    assert sum(data["by_stage"].values()) == pytest.approx(data["headline"]["total"])
    assert main(["energy", str(result.path), "--json", "--preset", "loihi"]) == 0
    loihi = json.loads(capsys.readouterr().out)
    sops = loihi["by_kind"]["synaptic_op"]["count"]
    assert loihi["by_kind"]["synaptic_op"]["energy"] == pytest.approx(sops * 23.6e-12)


def test_noise_circuit_comparison_runs_both_variants_side_by_side(tmp_path, capsys):
    path = reduced(REPO / "scenarios" / "noise-circuits.yaml", tmp_path, train=3, test=2)
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "random-walk against pink-1f:" in out and "noise-circuit energy unbounded" in out
    with open(tmp_path / "runs" / "noise-circuits-seed1-comparison.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["variant"] for row in rows] == ["random-walk", "pink-1f"]
    assert float(rows[0]["noise_circuit"]) > 0 and float(rows[1]["noise_circuit"]) == 0
    assert all(row["status"] == "complete" for row in rows)
