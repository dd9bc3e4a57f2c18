"""The STDP-style update controller: which cells, which device, which phase, for hand-made spikes."""

import numpy as np
import pytest

from conftest import lif, one_core_chip
from neurochip.circuits.controller import STDPController
from neurochip.description.chip import ControllerSpec


def controller(symmetric=False, rows=4, cols=6):
    # 1 ms ticks make the 4 ms window 4 ticks
    return STDPController(ControllerSpec(window="4 ms", symmetric=symmetric), rows, cols, tick=1e-3)


def cells(flat, cols=6):
    return sorted((int(c) // cols, int(c) % cols) for c in flat)


def test_causal_window_pairs_recent_rows_with_a_column_spike():
    c = controller()
    none = np.zeros(0, np.int64)
    assert c.pairs(0, np.array([0]), none).size == 0
    assert c.pairs(3, np.array([1]), none).size == 0
    assert cells(c.pairs(4, none, np.array([5]))) == [(0, 5), (1, 5)]  # 4 and 1 ticks before: inside
    assert cells(c.pairs(9, none, np.array([5]))) == []  # row 1 was 6 ticks ago
    assert cells(c.pairs(10, np.array([2, 3]), np.array([0, 1]))) == [(2, 0), (2, 1), (3, 0), (3, 1)]  # same tick
    assert cells(c.pairs(11, np.array([0]), none)) == []  # causal: a later row does not pair


def test_symmetric_window_also_pairs_a_row_with_earlier_columns():
    c = controller(symmetric=True)
    none = np.zeros(0, np.int64)
    c.pairs(0, none, np.array([2]))
    assert cells(c.pairs(3, np.array([1]), none)) == [(1, 2)]
    assert cells(c.pairs(5, np.array([1]), np.array([2]))) == [(1, 2)]  # the same-tick pair counted once


def test_sign_follows_the_phase_and_forget_clears_history():
    c = controller()
    c.pairs(0, np.array([0]), np.zeros(0, np.int64))
    c.sign = 0
    assert c.update(1, np.array([1]), np.array([3]))[0].size == 0  # transition: no pulses, activity noted
    c.sign = -1
    got, signs = c.update(2, np.zeros(0, np.int64), np.array([4]))
    assert cells(got) == [(0, 4), (1, 4)] and np.all(signs == -1)
    c.forget()
    assert c.update(3, np.zeros(0, np.int64), np.array([4]))[0].size == 0


def test_a_row_gate_passes_each_rows_pulses_with_its_probability():
    """Rows 0-3 gated at 1, 0.25, 0 and 1: with every row active and all six columns spiking,
    2,000 ticks ask for 12,000 pulses per row; a gated row gets Bin(12,000, p) of them."""
    c = controller(rows=4, cols=6)
    c.gate_rows(np.array([1.0, 0.25, 0.0, 1.0]), np.random.default_rng(3))
    c.sign = 1
    per_row = np.zeros(4, int)
    for tick in range(2000):
        got, signs = c.update(tick, np.arange(4), np.arange(6))
        per_row += np.bincount(got // 6, minlength=4)
        assert np.all(signs == 1)
    assert per_row[0] == per_row[3] == 12000 and per_row[2] == 0
    assert abs(per_row[1] - 3000) < 4 * np.sqrt(12000 * 0.25 * 0.75)


@pytest.mark.parametrize("sign, device", [(1, "plus"), (-1, "minus"), (0, None)])
def test_pulses_reach_the_right_device_of_the_right_cells(simulate, sign, device):
    chip = one_core_chip(rows=3, cols=2, col_neurons=lif(refractory="0 ms"))
    chip["cores"][0]["device"] = {"model": "pcm", "prog_noise": False, "read_noise": False, "drift": False,
                                  "dw_min_std": 0.0, "refresh": None}
    chip["cores"][0]["controller"] = {"window": "4 ms"}
    # rows 0 and 1 spike at 1 ms and 2 ms; row 2 at 20 ms; column 0 has the weight to fire on row 1
    weights = np.array([[0.2, 0.0], [0.9, 0.0], [0.0, 0.0]])
    sim = simulate(chip, {"duration": "30 ms",
                          "inputs": [{"kind": "spike-times", "name": "x", "to": "c.rows", "size": 3,
                                      "times": ["1 ms", "2 ms", "20 ms"], "neurons": [0, 1, 2]}],
                          "weights": {"c": {"constant": 0.0}}})
    core = sim.chip.cores["c"]
    core.crossbar.program(weights, 0.0)
    before = {name: getattr(core.crossbar.devices, name).value(0.0).copy() for name in ("plus", "minus")}
    core.controller.sign = sign
    sim.run()
    assert sim.spikes("c", "cols") == [(2001, 0)]  # 0.2 e^(-1/10) + 0.9 >= 1 when row 1 lands
    changed = {name: np.flatnonzero(getattr(core.crossbar.devices, name).value(1.0) != before[name])
               for name in ("plus", "minus")}
    if device is None:
        assert all(idx.size == 0 for idx in changed.values())
        assert sim.ledger.count("c", "set_pulse") == 0
    else:
        # rows 0 and 1 were active within 4 ms before the spike of column 0: cells (0, 0) and (1, 0)
        assert cells(changed[device], cols=2) == [(0, 0), (1, 0)]
        other = "minus" if device == "plus" else "plus"
        assert changed[other].size == 0
        assert sim.ledger.count("c", "set_pulse") == 2


def test_lines_driven_from_outside_learn_on_a_core_read_both_ways(simulate):
    """An RBM's bias columns are driven lines, not neuron spikes: their cells must learn too."""
    chip = one_core_chip(rows=2, cols=2, row_neurons=lif(refractory="0 ms"), col_neurons=lif(refractory="0 ms"))
    chip["cores"][0]["controller"] = {"window": "4 ms"}
    # row line 0 at 1 ms, column line 1 at 2 ms, both from outside; weights too small to fire anything
    sim = simulate(chip, {"duration": "5 ms", "weights": {"c": {"constant": 0.0}},
                          "inputs": [{"kind": "spike-times", "name": "r", "to": "c.rows", "size": 2,
                                      "times": ["1 ms"], "neurons": [0]},
                                     {"kind": "spike-times", "name": "k", "to": "c.cols", "size": 2,
                                      "times": ["2 ms"], "neurons": [1]}]})
    core = sim.chip.cores["c"]
    core.controller.sign = 1
    sim.run()
    assert sim.spikes("c", "rows") == [] and sim.spikes("c", "cols") == []
    w = core.crossbar.weights(5e-3)
    assert w[0, 1] > 0 and np.count_nonzero(w) == 1  # row 0 paired with the driven column 1 only
