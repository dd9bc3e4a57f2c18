"""Training speed of the quickstart's spiking RBM, against a bare-numpy clock-driven loop.

Runs training samples of ``scenarios/quickstart.yaml`` (its chip, network and phases)
through neurochip's event-driven kernel, and the same network as a plain numpy loop over
every tick (exact leak, refractory gating, random-walk kicks, one read of the spiking
lines, the causal 4 ms pairing rule with ideal pulses), in the same run. Prints training
samples per second, synaptic events (cell reads) per second, and the ratio of the two
wall times. The reference skips what neurochip adds (device physics, ledger, router,
trace hooks), so the ratio is the price of those.

Run: python benchmarks/rbm_speed.py [--samples N] [--device pcm|ideal]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from neurochip.chip import build_chip
from neurochip.description import load_scenario
from neurochip.kernel.engine import Engine
from neurochip.kernel.sources import dead_time_events
from neurochip.learning.session import LearningRun
from neurochip.ledger import Ledger
from neurochip.randomness import Streams

REPO = Path(__file__).resolve().parent.parent


def neurochip_samples(setup, count: int) -> tuple[float, int]:
    """Wall time of ``count`` training samples through the kernel, and the synaptic events counted."""
    engine = Engine(setup.chip.clock.tick)
    ledger = Ledger()
    chip = build_chip(setup, engine, ledger, Streams(setup.scenario.seed))
    run = LearningRun(setup.scenario.learning, setup.datasets, chip, Streams(setup.scenario.seed), progress=False)
    train = setup.datasets[0]
    started = time.perf_counter()
    for index in range(count):
        run.rbm.train_sample(train.images[index], int(train.labels[index]))
    return time.perf_counter() - started, ledger.count(kind="synaptic_op")


def numpy_samples(setup, count: int, seed: int = 0) -> tuple[float, int]:
    """The same network and schedule as a clock-driven numpy loop over every tick."""
    spec, core = setup.scenario.learning, setup.chip.cores[0]
    tick, lif = setup.chip.clock.tick, core.neurons.rows
    rows, cols = core.array.rows, core.array.cols
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 0.1, (rows, cols))
    decay = math.exp(-tick / lif.tau)
    refractory, window = round(lif.refractory / tick), round(core.controller.window / tick)
    step, dw = core.noise.step, 0.004
    pixels, labels = 64, 10 * spec.labels_per_class
    bias_rows = np.arange(pixels + labels, pixels + labels + spec.bias.visible)
    bias_cols = np.arange(spec.hidden, spec.hidden + spec.bias.hidden)
    train = setup.datasets[0]
    v = {"rows": np.full(rows, spec.rest), "cols": np.full(cols, spec.rest)}
    ready = {"rows": np.zeros(rows, np.int64), "cols": np.zeros(cols, np.int64)}
    row_seen = np.full(rows, -10**9)
    events = 0
    now = 0
    phases = [("transition", 0, spec.phases.transition), ("data", 1, spec.phases.data),
              ("transition", 0, spec.phases.transition), ("model", -1, spec.phases.model)]
    started = time.perf_counter()
    for index in range(count):
        image, label = train.images[index], int(train.labels[index])
        data_lines = np.concatenate([np.flatnonzero(image.ravel() >= 0.5),
                                     pixels + label * spec.labels_per_class + np.arange(spec.labels_per_class)])
        for number, (_, sign, duration) in enumerate(phases):
            ticks = round(duration / tick)
            clamped = number < 2
            lines = data_lines if clamped else np.zeros(0, np.int64)
            driven = np.zeros((ticks, rows), bool)
            for channels, rate in ((lines, spec.rate_on), (bias_rows, spec.bias.rate)):
                t, c = dead_time_events(rate, lif.refractory, 0, ticks, tick, rng, channels)
                driven[t, c] = True
            col_driven = np.zeros((ticks, cols), bool)
            t, c = dead_time_events(spec.bias.rate, lif.refractory, 0, ticks, tick, rng, bias_cols)
            col_driven[t, c] = True
            row_spikes = np.zeros(0, np.int64)
            col_spikes = np.zeros(0, np.int64)
            for k in range(ticks):
                now += 1
                active_rows = np.union1d(np.flatnonzero(driven[k]), row_spikes)
                active_cols = np.union1d(np.flatnonzero(col_driven[k]), col_spikes)
                events += active_rows.size * cols + active_cols.size * rows
                drive = {"cols": w[active_rows].sum(axis=0), "rows": w[:, active_cols].sum(axis=1)}
                spikes = {}
                for side in ("rows", "cols"):
                    kicks = np.where(rng.integers(0, 2, v[side].size) == 1, step, -step)
                    v[side] = spec.rest + (v[side] - spec.rest) * decay
                    free = ready[side] <= now
                    v[side] += np.where(free, drive[side] + kicks, 0.0)
                    if side == "rows":
                        v[side][: pixels + labels] = np.where(clamped, lif.v_reset, v[side][: pixels + labels])
                    v[side][bias_rows if side == "rows" else bias_cols] = lif.v_reset
                    fired = np.flatnonzero(v[side] >= lif.v_th)
                    v[side][fired] = lif.v_reset
                    ready[side][fired] = now + refractory
                    spikes[side] = fired
                row_seen[active_rows] = now
                if sign and active_cols.size:
                    recent = np.flatnonzero(now - row_seen <= window)
                    w[np.ix_(recent, active_cols)] += sign * dw
                row_spikes, col_spikes = spikes["rows"], spikes["cols"]
    return time.perf_counter() - started, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40, help="training samples timed (default 40)")
    parser.add_argument("--scenario", default=str(REPO / "scenarios" / "quickstart.yaml"))
    args = parser.parse_args()
    setup = load_scenario(args.scenario)
    ours, ours_events = neurochip_samples(setup, args.samples)
    bare, bare_events = numpy_samples(setup, args.samples)
    print(f"spiking RBM training ({setup.scenario.name}: {setup.chip.cores[0].array.rows} x "
          f"{setup.chip.cores[0].array.cols} core, {setup.chip.cores[0].device.model} devices), "
          f"{args.samples} samples")
    print(f"  neurochip     {args.samples / ours:7.2f} samples/s  {ours_events / ours:10.3g} synaptic events/s")
    print(f"  numpy loop    {args.samples / bare:7.2f} samples/s  {bare_events / bare:10.3g} synaptic events/s")
    print(f"  ratio (neurochip time / numpy loop time): {ours / bare:.2f}")


if __name__ == "__main__":
    main()
