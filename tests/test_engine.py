"""The kernel's same-time phase order, locked; idle time costs no events; packets per core-tick."""

import numpy as np

from conftest import lif, one_core_chip
from neurochip.kernel.engine import Engine, Phase


def test_phase_order_within_a_tick_is_deliver_integrate_fire_learn_record():
    engine = Engine(1e-6)
    log = []

    def actor(name, phase):
        yield engine.at(5, phase)
        log.append((engine.now, phase.name, name))

    # started in reverse order, so creation order cannot explain the result
    for phase in reversed(Phase):
        for name in ("a", "b"):
            engine.process(actor(name, phase))
    engine.run(10)
    assert [entry[1] for entry in log] == ["DELIVER"] * 2 + ["INTEGRATE"] * 2 + ["FIRE"] * 2 + \
        ["LEARN"] * 2 + ["RECORD"] * 2
    assert {entry[0] for entry in log} == {5}


def test_barrier_is_shared_within_a_tick_and_fresh_at_the_next():
    engine = Engine(1e-6)
    seen = []

    def proc():
        first = engine.barrier(Phase.FIRE)
        assert engine.barrier(Phase.FIRE) is first
        yield first
        seen.append(engine.now)
        yield engine.at(1, Phase.DELIVER)
        assert engine.barrier(Phase.FIRE) is not first
        yield engine.barrier(Phase.FIRE)
        seen.append(engine.now)

    engine.process(proc())
    engine.run(5)
    assert seen == [0, 1]


def test_all_deliveries_of_a_tick_are_integrated_together(simulate):
    # two inputs of 0.6 each arriving in the same tick fire the neuron only if summed before FIRE
    chip = one_core_chip(rows=2, cols=1, col_neurons=lif())
    inputs = [{"kind": "spike-times", "name": n, "to": "c.rows", "offset": i, "size": 1,
               "times": ["1 ms"], "neurons": [0]} for i, n in enumerate(("x", "y"))]
    sim = simulate(chip, {"inputs": inputs, "weights": {"c": {"constant": 0.6}}}).run()
    assert sim.spikes("c", "cols") == [(1001, 0)]


def test_recorded_state_at_a_tick_sees_that_ticks_input(simulate):
    from neurochip.recording import sample_state

    chip = one_core_chip(rows=1, cols=1, col_neurons=lif())
    sim = simulate(chip, {"inputs": [{"kind": "spike-times", "name": "x", "to": "c.rows", "size": 1,
                                      "times": ["0.999 ms"], "neurons": [0]}],
                          "weights": {"c": {"constant": 0.5}}})
    samples = []

    class Writer:
        def on_state(self, core, tick, values):
            samples.append((tick, values["cols"][0]))

    sim.engine.process(sample_state(sim.engine, sim.chip, Writer(), ["c"], 1000))
    sim.run(2e-3)
    assert samples[0] == (0, 0.0)
    assert samples[1] == (1000, 0.5)  # arrived at tick 1000, integrated before RECORD


def test_idle_core_sleeps_until_its_next_packet(simulate):
    # two inputs a day apart: the engine processes a handful of events, not 86e9 ticks
    chip = one_core_chip(rows=1, cols=1, col_neurons=lif(tau="1 ms"))
    sim = simulate(chip, {"duration": "1 day",
                          "inputs": [{"kind": "spike-times", "name": "x", "to": "c.rows", "size": 1,
                                      "times": ["1 ms", "86399 s"], "neurons": [0, 0]}],
                          "weights": {"c": {"constant": 0.7}}})
    steps = 0
    env = sim.engine.env
    original = env.step

    def counting_step():
        nonlocal steps
        steps += 1
        original()

    env.step = counting_step
    sim.run()
    assert steps < 50
    assert sim.ledger.count("c", "neuron_update") == 2
    neurons = sim.chip.cores["c"].neurons["cols"]
    assert neurons.potential_at(sim.engine.ticks(86399.0) + 1)[0] == 0.7  # the first input leaked away


def test_one_packet_per_core_and_tick_however_many_spikes(simulate):
    chip = one_core_chip(rows=1, cols=5, col_neurons=lif())
    sim = simulate(chip, {"inputs": [{"kind": "spike-times", "name": "x", "to": "c.rows", "size": 1,
                                      "times": ["1 ms", "5 ms"], "neurons": [0, 0]}],
                          "weights": {"c": {"constant": 1.0}}}).run()
    assert sim.ledger.count("c", "spike") == 10
    assert sim.ledger.count("c", "packet") == 2
    assert [ids.size for s, _, _, ids in sim.log if s == "c"] == [5, 5]
    assert np.array_equal(sim.log[1][3], np.arange(5))
