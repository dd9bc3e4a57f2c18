"""Does a core's event-driven contrastive divergence count its two phases alike?

Event-driven CD (Neftci et al. 2014) is unbiased only if the update controller gives as many
pulses per unit of co-activity in the data phase as in the model phase. This script maps a
numpy RBM (CD-1, 30 passes, as ``sampler_fidelity.py``) onto a chip file's core, runs
training samples through the data, transition and model phases with the weights frozen
(the controller's pulses are counted per cell, not applied), and records every line's
activity as the controller sees it. Per phase it prints:

* the pulses per unit of the chip's own co-activity, <v_i h_j> being the fraction of the
  phase both lines were 'on' (active within the last pairing window). A rectangular window
  pairs each column event with the rows on at that moment, and a symmetric one each row
  event with the columns on as well, so for independent lines this is about phase / window
  (causal) or twice that (symmetric). Equal values in both phases: no bias from counting.
* the model phase's co-activity against that of Gibbs chains of the same RBM started at
  the same data (CD-25): how far the chip's free-running sampler is from the RBM it stores.

The clamped lines are dead-time trains, as in the current-synapse scenarios: such a line is 'on'
as often as it drives (rate x refractory period), so its on-time is its data term. (A Poisson
line drives rate x window but is on only 1 - exp(-rate x window) of the time: the README's
bias of Poisson lines, which this on-time measure would hide.)

Run: python benchmarks/cd_balance.py [CHIP] [--samples N] [--rate-on RATE]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from sampler_fidelity import (HIDDEN, PIXELS, REPO, VISIBLE, build_run, chip_weights, layout, mapping, sigmoid,
                              train_rbm)

from neurochip.data import digits

BLOCKS = {"pixels": slice(0, PIXELS), "labels": slice(PIXELS, VISIBLE)}


def co_activity(ticks, start: int, stop: int, shape: tuple[int, int], window: int) -> np.ndarray:
    """Summed over ticks start..stop-1: 1 where a row and a column line were both active within the
    last ``window`` ticks (rows x cols), from ``ticks``: (tick, active rows, active columns)."""
    active = [np.zeros((stop - start + window, n)) for n in shape]
    for now, rows, cols in ticks:
        active[0][now - start + window, rows] = 1
        active[1][now - start + window, cols] = 1
    on = [np.minimum(np.cumsum(a, 0)[window:] - np.cumsum(a, 0)[:-window], 1) for a in active]
    return on[0].T @ on[1]


def gibbs_co_activity(v, w, a, b, rng, sweeps=25):
    """<v h> (mean-field h) after ``sweeps`` Gibbs sweeps from ``v``, averaged over the rows of ``v``."""
    for _ in range(sweeps):
        h = rng.random((len(v), HIDDEN)) < sigmoid(v @ w + b)
        v = (rng.random(v.shape) < sigmoid(h @ w.T + a)).astype(float)
    return v.T @ sigmoid(v @ w + b) / len(v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chip", nargs="?", default=str(REPO / "chips" / "digits-rbm-ideal-current.yaml"))
    parser.add_argument("--core", help="the RBM core (default: the first)")
    parser.add_argument("--samples", type=int, default=100, help="training digits run through the phases")
    parser.add_argument("--rate-on", default="950 Hz", help="rate of the clamped 'on' lines")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    train, _ = digits()
    data = layout(train.images, train.labels)
    w, a, b = train_rbm(data, rng)

    core_spec, _, _, scale, rest = mapping(Path(args.chip), args.core)
    learning = {"epochs": 1, "input_train": "dead-time", "rate_on": args.rate_on}
    with tempfile.TemporaryDirectory() as folder:
        run = build_run(Path(args.chip), core_spec, rest, chip_weights(w, a, b, scale), Path(folder), 0.1, learning)
    rbm, core = run.rbm, run.rbm.core
    controller = core.controller
    if controller is None:
        raise SystemExit(f"{args.chip}: core {core.name} has no update controller")
    shape = (core.crossbar.rows, core.crossbar.cols)
    pulses = {1: np.zeros(shape[0] * shape[1]), -1: np.zeros(shape[0] * shape[1])}
    ticks = []  # (tick, rows, columns) the controller saw active in the current learning phase

    def count_pulses(cells, signs, now):  # the weights stay frozen: pulses are counted, not applied
        np.add.at(pulses[int(signs[0])], cells, 1)  # one sign per tick: the phase's

    def note_activity(now, rows, cols, update=controller.update):
        if controller.sign:
            ticks.append((now, rows.copy(), cols.copy()))
        return update(now, rows, cols)

    core.crossbar.pulse, controller.update = count_pulses, note_activity

    lengths = {1: run.engine.ticks(rbm.params.data), -1: run.engine.ticks(rbm.params.model)}
    co = {1: np.zeros(shape), -1: np.zeros(shape)}
    chosen = np.random.default_rng(1).permutation(len(train))[:args.samples]
    original_run_phase = rbm._run_phase

    def run_phase(name, sign, clamp_rows, row_lines, duration):
        start = run.engine.now + 1
        original_run_phase(name, sign, clamp_rows, row_lines, duration)
        if sign:
            co[sign] += co_activity(ticks, start, start + lengths[sign], shape, controller.window)
            ticks.clear()

    rbm._run_phase = run_phase
    for index in chosen:
        rbm.train_sample(train.images[index], int(train.labels[index]))

    window = controller.window * run.engine.tick
    symmetric = controller.spec.symmetric
    print(f"chip {Path(args.chip).name}, core {core.name}: window {window * 1e3:g} ms "
          f"({'symmetric' if symmetric else 'causal'}), dead-time clamped lines at {args.rate_on}; "
          f"a numpy CD-1 RBM frozen on it, {args.samples} training digits")
    print(f"{'phase':<7}{'pulses':>12}   pulses per sample per unit of the chip's own co-activity")
    for sign, name in ((1, "data"), (-1, "model")):
        counted = pulses[sign].reshape(shape)[:VISIBLE, :HIDDEN]
        chip_co = co[sign][:VISIBLE, :HIDDEN] / (lengths[sign] * args.samples)
        per_unit = {block: counted[cells].sum() / (chip_co[cells].sum() * args.samples)
                    for block, cells in BLOCKS.items()}
        independent = (2 if symmetric else 1) * lengths[sign] * run.engine.tick / window
        print(f"{name:<7}{counted.sum():>12.0f}   "
              + ", ".join(f"{block} {value:.1f}" for block, value in per_unit.items())
              + f" (independent lines: about {independent:.0f})")
    model_co = co[-1][:VISIBLE, :HIDDEN] / (lengths[-1] * args.samples)
    gibbs = gibbs_co_activity(data[chosen], w, a, b, np.random.default_rng(2))
    print("model phase co-activity against Gibbs (CD-25 from the same digits): "
          + ", ".join(f"{block} {model_co[cells].mean() / gibbs[cells].mean():.2f}x "
                      f"(correlation {np.corrcoef(model_co[cells].ravel(), gibbs[cells].ravel())[0, 1]:.3f})"
                      for block, cells in BLOCKS.items()))


if __name__ == "__main__":
    main()
