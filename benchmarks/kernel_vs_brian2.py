"""The event-driven kernel against Brian2 on the same LIF network, in the same run.

832 LIF neurons (the RBM chip's parameters, no noise) driven by 64 Poisson lines at
200 Hz through random weights, on the chip's 1 us clock: neurochip integrates only when a
packet arrives, Brian2 (numpy target, method "exact") steps every microsecond. Prints the
wall times, their ratio, and how many spikes fall on the same step in both.
Run: python benchmarks/kernel_vs_brian2.py [duration_s]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from neurochip.description import load_chip
from neurochip.experiments import one_core_setup, run_setup
from neurochip.validation import brian2_lif

REPO = Path(__file__).resolve().parent.parent


def main(duration: float = 0.05) -> None:
    chip, _ = load_chip(REPO / "chips" / "ishii2019-6t2r-rbm.yaml")
    core = chip.cores[0]
    lif = core.neurons.cols
    tick = chip.clock.tick
    rng = np.random.default_rng(0)
    lines, neurons = 64, 832
    counts = rng.poisson(200.0 * duration, lines)
    chans = np.repeat(np.arange(lines), counts)
    ticks = rng.integers(round(1e-3 / tick), round(duration / tick) - 1, chans.size)
    keys = np.unique(ticks * lines + chans)
    ticks, chans = np.divmod(keys, lines)
    weights = rng.normal(0.05, 0.2, (lines, neurons))
    rests = np.full(neurons, lif.v_rest)

    core = core.model_copy(update={"noise": None, "neurons": core.neurons.model_copy(update={"rows": None})})
    setup = one_core_setup(core, tick, tick / 10, neurons, lines, weights, ticks * tick, chans, duration)
    start = time.perf_counter()
    ours = run_setup(setup)
    t_ours = time.perf_counter() - start
    our_spikes = ours.spike_trains()

    brian2_lif(lif, rests[:1], weights[:, :1], ticks[:1], chans[:1] * 0, tick, 1e-4)  # warm-up: imports, parsing
    start = time.perf_counter()
    b2_ticks, b2_ids, _ = brian2_lif(lif, rests, weights, ticks, chans, tick, duration)
    t_b2 = time.perf_counter() - start
    ours_set = set(zip(our_spikes[0].tolist(), our_spikes[1].tolist()))
    same = len(ours_set & set(zip(b2_ticks.tolist(), b2_ids.tolist())))
    print(f"{neurons} LIF neurons, {lines} Poisson lines at 200 Hz, {duration * 1e3:g} ms at {tick * 1e6:g} us steps")
    print(f"{'simulator':<28}{'wall (s)':>10}{'spikes':>10}")
    print(f"{'neurochip (event-driven)':<28}{t_ours:>10.2f}{our_spikes[0].size:>10}")
    print(f"{'Brian2 2.9 numpy (clock)':<28}{t_b2:>10.2f}{b2_ticks.size:>10}")
    print(f"ratio neurochip / Brian2: {t_ours / t_b2:.3f}; {same} of {len(ours_set)} spikes at the same step "
          f"(the rest: Brian2 restarts the leak one step earlier after refractoriness, see neurochip.validation)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.05)
