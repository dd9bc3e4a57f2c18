"""Spike sources and the router: rates, given times, latency on tick edges, mesh hops."""

import numpy as np
import pytest

from conftest import Sim, lif, one_core_chip
from neurochip.description import load_scenario


def poisson_sim(simulate, seed, rate="200 Hz", size=50, duration="2 s"):
    chip = one_core_chip(rows=size, cols=1, col_neurons=lif())
    source = {"kind": "poisson", "name": "p", "to": "c.rows", "size": size, "rate": rate}
    return simulate(chip, {"seed": seed, "duration": duration, "inputs": [source]})


def test_poisson_counts_match_rate_times_duration(simulate):
    sim = poisson_sim(simulate, seed=3).run()
    counts = np.bincount([n for _, n in sim.spikes("p", "out")], minlength=50)
    expected = 200.0 * 2.0  # per channel
    # total of 50 Poisson(400) counts: mean 20,000, std sqrt(20,000) = 141
    assert abs(counts.sum() - 50 * expected) < 4 * np.sqrt(50 * expected)
    # Poisson: variance equals mean (index of dispersion 1, chi-square with 49 dof: 5-sigma band)
    dispersion = counts.var(ddof=1) / counts.mean()
    assert abs(dispersion - 1.0) < 5 * np.sqrt(2 / 49)


def test_poisson_intervals_are_exponential(simulate):
    sim = poisson_sim(simulate, seed=4, size=1, rate="100 Hz", duration="50 s").run()
    times = np.array([t for t, _ in sim.spikes("p", "out")]) * 1e-6
    intervals = np.diff(times)
    # exponential: mean = std = 1 / rate
    assert intervals.mean() == pytest.approx(0.01, rel=4 / np.sqrt(intervals.size))
    assert intervals.std() == pytest.approx(0.01, rel=6 / np.sqrt(intervals.size))


def test_same_seed_same_spikes_and_other_seed_other_spikes(simulate):
    a = poisson_sim(simulate, seed=5, duration="100 ms").run().spikes("p", "out")
    b = poisson_sim(simulate, seed=5, duration="100 ms").run().spikes("p", "out")
    c = poisson_sim(simulate, seed=6, duration="100 ms").run().spikes("p", "out")
    assert a == b and a != c


def test_per_channel_rates(simulate):
    chip = one_core_chip(rows=3, cols=1, col_neurons=lif())
    source = {"kind": "poisson", "name": "p", "to": "c.rows", "size": 3, "rate": ["0 Hz", "50 Hz", "500 Hz"]}
    sim = simulate(chip, {"seed": 1, "duration": "4 s", "inputs": [source]}).run()
    counts = np.bincount([n for _, n in sim.spikes("p", "out")], minlength=3)
    assert counts[0] == 0
    assert abs(counts[1] - 200) < 4 * np.sqrt(200) and abs(counts[2] - 2000) < 4 * np.sqrt(2000)


def test_start_and_stop_bound_a_poisson_source(simulate):
    chip = one_core_chip(rows=10, cols=1, col_neurons=lif())
    source = {"kind": "poisson", "name": "p", "to": "c.rows", "size": 10, "rate": "1 kHz",
              "start": "20 ms", "stop": "30 ms"}
    ticks = [t for t, _ in simulate(chip, {"duration": "50 ms", "inputs": [source]}).run().spikes("p", "out")]
    assert ticks and min(ticks) >= 20_000 and max(ticks) < 30_000


def test_spike_times_are_emitted_on_their_ticks(simulate):
    chip = one_core_chip(rows=3, cols=1, col_neurons=lif())
    source = {"kind": "spike-times", "name": "x", "to": "c.rows", "size": 3,
              "times": ["2 ms", "1 ms", "1 ms", "3.0004 ms"], "neurons": [2, 0, 1, 0]}
    sim = simulate(chip, {"inputs": [source]}).run()
    assert sim.spikes("x", "out") == [(1000, 0), (1000, 1), (2000, 2), (3000, 0)]
    assert sim.ledger.count("x", "packet") == 3


def test_latency_rounds_up_to_the_next_tick_edge(simulate):
    # 2.5 us latency with 1 us ticks: a spike at tick 1000 is seen at tick 1003
    chip = one_core_chip(rows=1, cols=1, col_neurons=lif(), latency="2.5 us")
    source = {"kind": "spike-times", "name": "x", "to": "c.rows", "size": 1, "times": ["1 ms"], "neurons": [0]}
    sim = simulate(chip, {"inputs": [source], "weights": {"c": {"constant": 1.0}}}).run()
    assert sim.spikes("c", "cols") == [(1003, 0)]


def test_hops_on_the_mesh_add_latency_and_are_counted(write):
    # four cores on a 2 x 2 mesh: a -> d is two hops
    cores = [{"name": n, "array": {"rows": 1, "cols": 1}, "neurons": {"cols": lif()}} for n in "abcd"]
    write("chip.yaml", {"name": "mesh", "router": {"latency": "1 us", "hop_latency": "2 us"}, "cores": cores})
    scenario = {"name": "s", "chip": "chip.yaml", "duration": "5 ms",
                "inputs": [{"kind": "spike-times", "name": "x", "to": "a.rows", "size": 1,
                            "times": ["1 ms"], "neurons": [0]}],
                "routes": [{"from": "a.cols", "to": "d.rows"}, {"from": "a.cols", "to": "b.rows"}],
                "weights": {n: {"constant": 1.0} for n in "abcd"}}
    sim = Sim(load_scenario(write("s.yaml", scenario))).run()
    a_fires = 1001
    assert sim.spikes("a", "cols") == [(a_fires, 0)]
    assert sim.spikes("b", "cols") == [(a_fires + 1 + 2, 0)]  # 1 hop
    assert sim.spikes("d", "cols") == [(a_fires + 1 + 4, 0)]  # 2 hops
    assert sim.ledger.count("a", "hop") == 3 and sim.ledger.count("a", "packet") == 1


def test_dead_time_trains_keep_their_rate_and_never_fire_within_the_dead_time():
    from neurochip.kernel.sources import dead_time_events

    rate, dead, tick, ticks = 200.0, 4e-3, 1e-5, 200_000  # 2 s on 400 channels
    times, channels = dead_time_events(rate, dead, 0, ticks, tick, np.random.default_rng(3), np.arange(400))
    counts = np.bincount(channels, minlength=400)
    # a renewal process with intervals d + Exp(1/rate - d): count variance = n (1 - rate d)^2
    mean, n = counts.mean(), rate * ticks * tick
    assert abs(mean - n) < 4 * np.sqrt(n) * (1 - rate * dead) / np.sqrt(400)
    order = np.lexsort((times, channels))
    gaps = np.diff(times[order])[np.diff(channels[order]) == 0]
    assert gaps.min() >= round(dead / tick) - 1  # flooring to ticks can shorten a gap by one tick
    # stationary from the first tick: the first 10 ms carry the same rate as the rest
    early = np.count_nonzero(times < 1000) / (400 * 1000 * tick)
    assert abs(early - rate) < 4 * np.sqrt(rate / (400 * 1000 * tick))
    with pytest.raises(ValueError, match="dead time"):
        dead_time_events(300.0, dead, 0, 10, tick, np.random.default_rng(0), np.arange(2))
