"""Time is real: program an array, idle for a day without simulating empty ticks, read it again."""

import numpy as np

from conftest import REPO, lif, one_core_chip
from neurochip.description import load_scenario
from neurochip.runner import run_scenario
from neurochip.traces import Trace


def pcm_chip(**device):
    chip = one_core_chip(rows=8, cols=6, col_neurons=lif(tau="1 ms"))
    chip["cores"][0]["device"] = {"model": "pcm", "prog_noise": False, "read_noise": False, **device}
    return chip


def scenario(**extra):
    return {"name": "drift", "chip": "chip.yaml", "duration": "1 day", "seed": 4,
            "weights": {"c": {"constant": 0.4}},
            "actions": [{"at": "1 h", "core": "c", "snapshot": True},
                        {"at": "1 day", "core": "c", "snapshot": True}], **extra}


def test_a_day_of_drift_follows_the_power_law_through_the_whole_stack(write, tmp_path):
    write("chip.yaml", pcm_chip())
    result = run_scenario(load_scenario(write("s.yaml", scenario())), tmp_path / "out", progress=False)
    with Trace(result.path) as trace:
        times, cells, values = trace.conductance("c")
    assert list(times) == [0.0, 3600.0, 86400.0]
    assert cells.size == 48 and np.all(values["g_minus"] == 0.0)
    g0, g_hour, g_day = values["g_plus"].astype(float)
    np.testing.assert_allclose(g0, 0.4 * 25e-6, rtol=1e-6)  # programmed exactly (noise off)
    nu = -np.log(g_hour / g0) / np.log(3600 / 20)  # each device's exponent, seen after an hour
    assert np.all((nu > 0.0) & (nu < 0.2))
    np.testing.assert_allclose(g_day, g0 * (86400 / 20) ** -nu, rtol=1e-5)  # float32 in the trace
    assert result.wall_time < 30


def test_without_drift_nothing_changes_in_a_day(write, tmp_path):
    write("chip.yaml", pcm_chip(drift=False))
    result = run_scenario(load_scenario(write("s.yaml", scenario())), tmp_path / "out", progress=False)
    with Trace(result.path) as trace:
        _, _, values = trace.conductance("c")
    assert np.all(values["g_plus"] == values["g_plus"][0])


def test_pulses_refresh_and_reads_are_counted_and_repeat_bit_for_bit(write, tmp_path):
    write("chip.yaml", pcm_chip(prog_noise=True, read_noise=True))
    actions = [{"at": "1 ms", "core": "c", "pulse": {"sign": 1, "count": 3000, "rows": [0, 1]}},
               {"at": "2 ms", "core": "c", "pulse": {"sign": -1, "count": 5, "cols": [0]}}]
    probe = {"kind": "spike-times", "name": "probe", "to": "c.rows", "size": 8,
             "times": ["1 h", "1 h"], "neurons": [0, 1]}
    path = write("s.yaml", scenario(actions=actions, inputs=[probe], duration="2 h",
                                    record={"conductance_interval": "30 min", "state_interval": "1 h"}))
    traces = [run_scenario(load_scenario(path), tmp_path / str(i), progress=False).path for i in range(2)]
    with Trace(traces[0]) as first, Trace(traces[1]) as second:
        ledger = {(c, k): n for c, k, _, n in first.ledger()}
        assert ledger[("c", "set_pulse")] == 3000 * 2 * 6 + 5 * 8
        assert ledger[("c", "refresh")] > 0  # 3,000 SETs push G+ past 90 % of g_max
        assert ledger[("c", "reset_pulse")] == 2 * 48 + 2 * ledger[("c", "refresh")]
        assert ledger[("c", "row_read")] == 2 and ledger[("c", "synaptic_op")] == 12
        for a, b in zip(first.conductance("c")[2].values(), second.conductance("c")[2].values()):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(first.state("c", "cols")[1], second.state("c", "cols")[1])
        assert first.conductance("c")[0].tolist() == [0.0, 0.001, 0.002, 1800.0, 3600.0, 5400.0, 7200.0]


def test_shipped_drift_scenario_is_valid_and_idles_a_day():
    setup = load_scenario(REPO / "scenarios" / "pcm-drift.yaml")
    assert setup.scenario.duration == 86400.0
    assert setup.chip.cores[0].device.model == "pcm"
