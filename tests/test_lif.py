"""LIF neurons on a core against closed-form responses (delta synapses, exact exponential leak)."""

import math

import numpy as np
import pytest

from conftest import lif, one_core_chip

TAU = 10e-3
TICK = 1e-6


def spikes_at(times_ms, neurons=None):
    times = [f"{t} ms" for t in times_ms]
    return {"kind": "spike-times", "name": "src", "to": "c.rows", "size": 1,
            "times": times, "neurons": neurons or [0] * len(times)}


def single(simulate, weight, times_ms, **neuron):
    chip = one_core_chip(rows=1, cols=1, col_neurons=lif(**neuron))
    return simulate(chip, {"inputs": [spikes_at(times_ms)], "weights": {"c": {"constant": weight}}})


def test_potential_decays_exactly_after_an_input(simulate):
    sim = single(simulate, 0.5, [1.0]).run(5e-3)
    neurons = sim.chip.cores["c"].neurons["cols"]
    arrival = 1e-3 + TICK  # 100 ns router latency lands on the next tick edge
    for t in (arrival, 2e-3, 5e-3, 40e-3):
        expected = 0.5 * math.exp(-(t - arrival) / TAU)
        assert neurons.potential_at(round(t / TICK))[0] == pytest.approx(expected, rel=1e-12)


def test_two_inputs_fire_exactly_when_the_decayed_sum_reaches_threshold(simulate):
    # 0.6 exp(-d / tau) + 0.6 >= 1  <=>  d <= tau ln(1.5) = 4.0547 ms
    critical = TAU * math.log(1.5)
    inside = single(simulate, 0.6, [1.0, 1.0 + 1e3 * (critical - TICK)]).run(20e-3)
    outside = single(simulate, 0.6, [1.0, 1.0 + 1e3 * (critical + TICK)]).run(20e-3)
    second_arrival = round((1e-3 + critical - TICK) / TICK) + 1
    assert inside.spikes("c", "cols") == [(second_arrival, 0)]
    assert outside.spikes("c", "cols") == []


def test_refractory_period_ignores_input_until_it_ends(simulate):
    # first input fires at 1.001 ms; the neuron is deaf until 3.001 ms (2 ms refractory)
    accepted = single(simulate, 1.2, [1.0, 3.0]).run(10e-3)  # second arrives at 3.001 ms: accepted
    ignored = single(simulate, 1.2, [1.0, 2.999]).run(10e-3)  # arrives at 3.000 ms: ignored
    assert accepted.spikes("c", "cols") == [(1001, 0), (3001, 0)]
    assert ignored.spikes("c", "cols") == [(1001, 0)]
    neurons = ignored.chip.cores["c"].neurons["cols"]
    assert neurons.potential_at(3000)[0] == 0.0  # held at reset, the ignored input left no trace


def test_reset_potential_then_leak_from_the_end_of_refractoriness(simulate):
    sim = single(simulate, 1.5, [1.0], v_reset=0.3, v_rest=0.1).run(10e-3)
    neurons = sim.chip.cores["c"].neurons["cols"]
    spike, ready = 1001, 1001 + 2000
    assert neurons.potential_at(spike + 1000)[0] == 0.3
    t = ready + 4000
    assert neurons.potential_at(t)[0] == pytest.approx(0.1 + 0.2 * math.exp(-4000 * TICK / TAU), rel=1e-12)


def test_forward_and_backward_reads_use_the_same_array(simulate, write, tmp_path):
    weights = np.arange(12, dtype=float).reshape(4, 3) / 100
    np.save(tmp_path / "w.npy", weights)
    chip = one_core_chip(rows=4, cols=3, row_neurons=lif(), col_neurons=lif())
    sim = simulate(chip, {
        "inputs": [{"kind": "spike-times", "name": "fwd", "to": "c.rows", "size": 4,
                    "times": ["1 ms", "1 ms"], "neurons": [1, 3]},
                   {"kind": "spike-times", "name": "bwd", "to": "c.cols", "size": 3,
                    "times": ["1 ms"], "neurons": [2]}],
        "weights": {"c": {"file": "w.npy"}}}).run(2e-3)
    core = sim.chip.cores["c"]
    arrival = 1001
    np.testing.assert_allclose(core.neurons["cols"].potential_at(arrival), weights[[1, 3]].sum(axis=0))
    np.testing.assert_allclose(core.neurons["rows"].potential_at(arrival), weights[:, 2])
    # only the driven lines were read: 2 rows x 3 columns + 1 column x 4 rows
    assert sim.ledger.count("c", "row_read") == 2 and sim.ledger.count("c", "col_read") == 1
    assert sim.ledger.count("c", "synaptic_op") == 2 * 3 + 1 * 4


def test_constant_drive_fires_at_the_closed_form_interval(simulate):
    # v relaxes to v_rest = 1.5 > v_th: from reset 0 it crosses after tau ln(1.5 / 0.5) = 10.986 ms,
    # then the cycle repeats after the 2 ms refractory period; spikes land on the next tick edge
    chip = one_core_chip(rows=1, cols=1, col_neurons=lif(v_rest=1.5))
    sim = simulate(chip, {"duration": "100 ms"}).run()
    crossing = TAU * math.log(1.5 / 0.5)
    first = math.ceil(crossing / TICK)
    period = 2000 + math.ceil(crossing / TICK)
    ticks = [t for t, _ in sim.spikes("c", "cols")]
    assert ticks == [first + k * period for k in range(len(ticks))] and len(ticks) == 7


def test_constant_drive_and_inputs_combine(simulate):
    # an input halfway makes the neuron cross earlier: v(5 ms) + 0.3, then the exact remaining time
    chip = one_core_chip(rows=1, cols=1, col_neurons=lif(v_rest=1.5))
    sim = simulate(chip, {"duration": "30 ms", "weights": {"c": {"constant": 0.3}},
                          "inputs": [spikes_at([4.999])]}).run()
    v = 1.5 * (1 - math.exp(-5e-3 / TAU)) + 0.3
    remaining = TAU * math.log((1.5 - v) / 0.5)
    assert sim.spikes("c", "cols")[0] == (5000 + math.ceil(remaining / TICK), 0)


# -- current synapses: each input jumps a current that decays with tau_syn; v follows it -------------
TAU_SYN = 4e-3


def kernel(t, tau=TAU, tau_s=TAU_SYN):
    """Potential that a unit current jump adds t seconds later (tau dv/dt = I - v, I = exp(-t / tau_s))."""
    if tau == tau_s:
        return t / tau * math.exp(-t / tau)
    return tau_s / (tau_s - tau) * (math.exp(-t / tau_s) - math.exp(-t / tau))


def first_crossing(f, start, stop, step=1e-7):
    t = start
    while f(t) < 1.0:
        t += step
        assert t < stop, "no crossing"
    return t


@pytest.mark.parametrize("tau_syn", ["4 ms", "10 ms"])  # 10 ms: the kernel's t/tau exp(-t/tau) limit
def test_current_synapse_potential_follows_the_closed_form(simulate, tau_syn):
    sim = single(simulate, 0.5, [1.0], tau_syn=tau_syn).run(30e-3)
    neurons = sim.chip.cores["c"].neurons["cols"]
    tau_s = {"4 ms": 4e-3, "10 ms": 10e-3}[tau_syn]
    arrival = 1001
    for ticks in (0, 500, 3000, 12000, 25000):
        expected = 0.5 * kernel(ticks * TICK, tau_s=tau_s)
        assert neurons.potential_at(arrival + ticks)[0] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_current_synapse_fires_when_the_potential_rises_past_threshold_after_the_input(simulate):
    # one input of 6.0 at 1.001 ms: v = 6 k(t) would peak at 1.30 after tau tau_s ln(tau / tau_s) / (tau - tau_s)
    # = 6.1 ms; it crosses 1 on the way up, with no later input and no noise: only the core's own wake-up sees it
    sim = single(simulate, 6.0, [1.0], tau_syn="4 ms").run(30e-3)
    crossing = first_crossing(lambda t: 6.0 * kernel(t), 0.0, 6.1e-3)
    assert sim.spikes("c", "cols") == [(1001 + math.ceil(crossing / TICK - 1e-9), 0)]


def test_current_synapse_keeps_input_that_arrives_while_refractory(simulate, tmp_path):
    # 20.0 on line 0 at 1 ms fires the neuron as v rises; 0.8 on line 1 at 2 ms arrives during its 2 ms
    # refractory period. After the period v starts from v_reset = 0 and follows the current of both
    np.save(tmp_path / "w.npy", np.array([[20.0], [0.8]]))
    chip = one_core_chip(rows=2, cols=1, col_neurons=lif(tau_syn="4 ms"))
    sim = simulate(chip, {"inputs": [{"kind": "spike-times", "name": "src", "to": "c.rows", "size": 2,
                                      "times": ["1 ms", "2 ms"], "neurons": [0, 1]}],
                          "weights": {"c": {"file": "w.npy"}}, "duration": "20 ms"})
    crossing = first_crossing(lambda t: 20.0 * kernel(t), 0.0, 5e-3)
    spike = 1001 + math.ceil(crossing / TICK - 1e-9)
    ready = spike + 2000
    assert spike < 2001 < ready  # the second input arrives while the neuron is refractory
    neurons = sim.chip.cores["c"].neurons["cols"]
    sim.engine.run(ready - 1)
    assert sim.spikes("c", "cols") == [(spike, 0)]
    assert neurons.potential_at(ready - 1)[0] == 0.0  # held at v_reset
    current = 20.0 * math.exp(-(ready - 1001) * TICK / TAU_SYN) + 0.8 * math.exp(-(ready - 2001) * TICK / TAU_SYN)
    for ticks in (100, 300, 800):  # before the current carries v to threshold again
        sim.engine.run(ready + ticks)
        assert neurons.potential_at(ready + ticks)[0] == pytest.approx(current * kernel(ticks * TICK), rel=1e-9)
