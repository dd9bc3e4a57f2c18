"""What bounds a core's learning, and which settings suit it? A fast CD screen on the real device array.

A full spiking run of `scenarios/rbm-digits-pcm-current.yaml` takes over an hour, and its
accuracy moves by a point or two with the seed, so a learning rate is costly to choose on
the chip. This script keeps the chip's devices and replaces the spikes:

* the sampler is CD-1 in numpy (binary hidden and model states, mean-field statistics),
  on the digits cores' layout (64 pixels + 10 x 4 labels + 8 bias rows, 100 hidden + 8
  bias columns, bias lines 'on' 0.283 of the time, the neurons' own offset at P(on) 0.35);
* the update controller becomes Poisson pulse counts per cell: in each phase a cell gets
  on average ``pulses per unit`` x <v_i h_j> x the scenario's gate (``pulse_rate`` x
  ``pulse_decay`` ^ pass, times ``label_pulses`` on label rows). The defaults, 41.9 in
  the data phase and 44.1 in the model phase, are what `cd_balance.py` measured on the PCM
  current core's causal 1 ms window over 40 ms phases;
* the pulses go to the chip file's device array itself, 100 ms of simulated time per
  sample: for a PCM pair its state-dependent SET step, spreads, drift, programming noise
  and refresh, SETs on G+ for the data phase and then on G- for the model phase.

It prints, per pulse rate and seed, the free-energy accuracy of the learned weights on the
360 test digits (the run's "free energy" figure, which does not depend on the sampler's
read-out, here at the mapping's scale rather than one chosen on training images), the
refreshes per cell and the mean |W| of the pixel and label rows. ``--set`` changes the
scenario or its chip as ``neurochip sweep --set`` does, and screens every combination.

On the PCM current core (about a minute a seed; mean +- standard error, 3 seeds unless
said, pulse_rate 0.25 unless said):

| change | free energy |
|---|---|
| none (8 seeds) | 0.809 +- 0.007 |
| pulse_rate 0.125 (8 seeds); 0.18 (4) | 0.817 +- 0.007; 0.799 +- 0.010 |
| 4 passes (4); refresh at 0.65 of g_max (4) | 0.815 +- 0.007; 0.804 +- 0.010 |
| w_max 4.0 at rate 0.18 (4); 2.0 at 0.36 (4) | 0.812 +- 0.011; 0.794 +- 0.012 |
| 200 hidden units (a copy of this script) | 0.798 +- 0.013 |
| ``device.prog_noise=false`` | 0.825 +- 0.008 |
| ``device.read_noise=false`` (only a refresh's read sees it here) | 0.821 +- 0.008 |
| both | 0.799 +- 0.007 |
| ``device.dw_min_std=0`` (no cycle-to-cycle spread) | 0.804 +- 0.004 |
| ``device.dw_min_dtod=0`` (no device-to-device spread) | 0.776 +- 0.007 |
| ``device.drift=false``; at pulse_rate 0.125 | 0.783; 0.808 |
| ``device.gamma=0.01`` (steps that do not shrink: 15 refreshes per cell) | 0.768 +- 0.019 |
| ``device.dw_min=0.002`` at rate 0.625 | 0.819 +- 0.011 |
| ``device.dw_min=0.001`` at rate 1 (a fifth of the step, the same learning rate x 0.8) | 0.833 +- 0.007 |
| ideal devices with the pair's first SET step (dw_min x w_max = 0.0145) at rate 0.1 (*) | 0.850 +- 0.010 |
| ideal devices, step 0.00145 (the ideal core's) at rate 1: the same learning rate | 0.900 +- 0.009 |

(*) a copy of the chip file with ``device: {model: ideal, dw: 0.0145, w_max: 4.0}``.

So the PCM core's learning is bound by its devices, not by a setting: no rate, bound,
refresh level, pass count or layer size moves it past the seeds' spread. Of the ~9 points
to the ideal device, about 5 are the coarseness of a pulse (the ideal device with the
pair's step, at the same learning rate, loses them) and the rest the pair's own law, with
no single culprit: taking out a noise gains at most 2 points, and taking out the spread or
the shrinking of the steps loses (more refreshes, smaller weights). A five times finer SET
step, as in the chip's public simulator (steps of 0.01 on a 0..10 scale), wins back 2.4.
The chip's own runs sit a little above the screen: at 0.25 0.828, 0.828 and 0.806 (seeds
1-3), at 0.125 0.847, 0.850 and 0.808. A hand-written numpy model of the pair with the same
step law but no drift had given 0.800 and 0.828 at these two rates: screen on the devices
the chip file describes, not on a model of them.

``--idle 120,600`` also reads the learned weights after that long idle (drift) and prints
their free energy as read, and with a global drift compensation: one gain per core that
restores the sum of |W| over the pixel, label and hidden block to its value at the end of
training (the calibration read of Joshi et al., Nat. Commun. 2020, as aihwkit offers it).
On the finer-step core (`rbm-digits-pcm-fine.yaml`, seeds 1-4) the weights shrink 7 % in
the first two minutes (the length of the spiking test), and free energy falls from 0.827
to 0.817 on average; the gain wins back 0.2 of that point (0.819). The drift that costs
accuracy differs from device to device, which one gain cannot undo.

``--complete N`` also prints the Gibbs completion error of the learned weights on the bottom
halves of the first N test digits (top halves clamped, labels free; 20 chains x 150 sweeps),
scored as the runs score their reconstructions. It runs a little above the chip's own reads:
the finer-step core at pulse_rate 1 gives 0.140 on 50 digits (2 seeds; the chip's five
seeds 0.125-0.137, mean image 0.133). Ideal devices complete well below the mean image
where PCM pairs do not. On 100 digits (mean image 0.1365), finer-step core at pulse_rate 0.2
unless said, 3 seeds, mean +- standard error:

| change | completion | free energy |
|---|---|---|
| ideal devices (`rbm-reconstruction.yaml`, 2 seeds), pulse_rate 1; 0.2 | 0.113; 0.110 | 0.910; 0.869 |
| finer-step PCM, pulse_rate 0.2 | 0.134 +- 0.001 | 0.825 +- 0.005 |
| ``device.drift=false`` | 0.129 +- 0.002 | 0.840 +- 0.004 |
| ``device.dw_min_std=0``; ``device.prog_noise=false`` | 0.130 +- 0.003; 0.135 +- 0.002 | 0.831; 0.831 |
| ``device.prog_noise=false`` and ``device.read_noise=false`` | 0.129 +- 0.002 | 0.848 +- 0.013 |
| ``device.dw_min_dtod=0`` (weights shrink to mean abs 0.23) | 0.124 +- 0.002 | 0.844 +- 0.009 |
| ``device.gamma=0.5`` (2.5 refreshes per cell) | 0.156 +- 0.002 | 0.823 +- 0.003 |
| refresh at 0.3 of g_max (4.3-5.6 refreshes per cell); at 0.8 (0.2) | 0.139 +- 0.004; 0.126 +- 0.001 | 0.822; 0.841 |
| refresh at 0.9 (0.1 refreshes per cell); and pulse_rate 1 (0.5) | 0.125 +- 0.002; 0.124 +- 0.002 | 0.835; 0.839 |

In the screen, refreshes cost completion: each one reads the pair through its noise,
programs it again, and puts its two devices back where their steps are largest. On the chip
the threshold bought less: refreshing at 0.9 instead of 0.5 gave 0.122 against 0.123 at
pulse_rate 0.2, and 0.131 with every pulse, where spiking accuracy fell to 83.9 % (seed 1,
scenarios/rbm-reconstruction-pcm.yaml; README, RBM). The chip files keep 0.5.

Run: python benchmarks/device_cd_screen.py [SCENARIO] [--rates 0.25,0.125] [--set KEY.PATH=V1,V2]...
     [--seeds 3] [--passes N] [--idle SECONDS,...] [--complete N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sampler_fidelity import (CLASSES, HIDDEN, LABELS, OFFSET_P, PIXELS, REPO, VISIBLE, gibbs_completions, layout,
                              mapping, sigmoid)

from neurochip.data import digits
from neurochip.description import load_scenario
from neurochip.devices.crossbar import device_array
from neurochip.errors import NeurochipError
from neurochip.learning.session import occluded_mask
from neurochip.sweep import Setting, plan

BIAS_P_ON = 0.283      # bias lines at 283 Hz on a 1 ms refractory period
SAMPLE_TIME = 0.1      # s per training sample: transition, data, transition, model (10 + 40 + 10 + 40 ms)


def train(array, scale: float, learning, rate: float, passes: int, per_unit: tuple[float, float],
          rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """CD-1 through ``array``; returns the learned RBM weights (rows x cols, RBM units) and the
    simulated time (s) at the end of training."""
    train_set, _ = digits()
    data = layout(train_set.images, train_set.labels)
    rows, cols = array.shape
    visible_on = np.full(rows, BIAS_P_ON)
    hidden_on = np.full(cols, BIAS_P_ON)
    gate = np.ones((rows, 1))
    gate[PIXELS:VISIBLE] = learning.label_pulses
    cells = np.arange(rows * cols)
    now = 0.0
    for k in range(passes):
        pass_gate = gate * rate * learning.pulse_decay ** k
        for index in rng.permutation(len(data)):
            w = array.weights(now, noisy=False) * scale
            visible_on[:VISIBLE] = data[index]
            hidden_on[:HIDDEN] = sigmoid(visible_on @ w[:, :HIDDEN] + OFFSET_P)
            hidden = np.r_[rng.random(HIDDEN) < hidden_on[:HIDDEN], np.full(cols - HIDDEN, BIAS_P_ON)]
            p_visible = sigmoid(w[:VISIBLE] @ hidden + OFFSET_P)
            model_on = np.r_[rng.random(VISIBLE) < p_visible, np.full(rows - VISIBLE, BIAS_P_ON)]
            model_hidden = np.r_[sigmoid(model_on @ w[:, :HIDDEN] + OFFSET_P), np.full(cols - HIDDEN, BIAS_P_ON)]
            for sign, (v, h), unit in ((1, (visible_on, hidden_on), per_unit[0]),
                                       (-1, (model_on, model_hidden), per_unit[1])):
                counts = rng.poisson(pass_gate * unit * np.outer(v, h)).ravel()
                none = np.zeros_like(counts)
                array.pulse_counts(cells, counts if sign > 0 else none, none if sign > 0 else counts, now)
            now += SAMPLE_TIME
    return array.weights(now, noisy=False) * scale, now


def biases(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The visible and hidden biases (RBM units) that the bias lines and the neurons' own offset give."""
    return (w[:VISIBLE, HIDDEN:].sum(axis=1) * BIAS_P_ON + OFFSET_P,
            w[VISIBLE:, :HIDDEN].sum(axis=0) * BIAS_P_ON + OFFSET_P)


def free_energy_accuracy(w: np.ndarray) -> float:
    """The run's free-energy read-out: each class's label group on, the lowest F(v) wins."""
    _, test = digits()
    v = layout(test.images, test.labels)
    visible_bias, hidden_bias = biases(w)
    energies = []
    for c in range(CLASSES):
        vc = v.copy()
        vc[:, PIXELS:VISIBLE] = 0
        vc[:, PIXELS + LABELS * c: PIXELS + LABELS * (c + 1)] = 1
        energies.append(-(vc @ visible_bias) - np.logaddexp(0, vc @ w[:VISIBLE, :HIDDEN] + hidden_bias).sum(axis=1))
    return float(np.mean(np.argmin(energies, axis=0) == test.labels))


def learned_completions(w: np.ndarray, images: np.ndarray, known: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``gibbs_completions`` (20 chains x 150 sweeps, 30 discarded) of a crossbar ``w`` in RBM units, with the
    biases its bias lines and the neurons' own offset give (``biases``)."""
    return gibbs_completions(w[:VISIBLE, :HIDDEN], *biases(w), images, known, rng)


def completion_error(w: np.ndarray, count: int, rng: np.random.Generator) -> tuple[float, float]:
    """Gibbs completion of the bottom halves of the first ``count`` test digits with the top halves
    clamped (labels free), as the runs' reconstruction scores it: the mean squared error of the
    free pixels' marginals against the binarised digits; and the mean training image's error."""
    train_set, test = digits()
    occluded = occluded_mask(test.images.shape[1:], "bottom").ravel()
    truth = (test.images[:count].reshape(count, -1) >= 0.5).astype(float)
    read = learned_completions(w, truth, ~occluded, rng)
    mean_image = (train_set.images.reshape(len(train_set.images), -1) >= 0.5).mean(axis=0)
    return (float(np.mean((read[:, occluded] - truth[:, occluded]) ** 2)),
            float(np.mean((mean_image[occluded] - truth[:, occluded]) ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(REPO / "scenarios" / "rbm-digits-pcm-current.yaml"))
    parser.add_argument("--rates", default=None, help="pulse rates, comma-separated (default: the scenario's, "
                                                       "and half of it)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY.PATH=V1,V2",
                        help="a setting of the scenario or, prefixed chip., of its chip, as in neurochip sweep "
                             "(e.g. chip.cores[0].device.prog_noise=true,false); every combination is screened")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--passes", type=int, default=None, help="passes over the training digits "
                                                                  "(default: the scenario's epochs)")
    parser.add_argument("--pulses-per-unit", default="41.9,44.1", help="data,model phase (cd_balance.py)")
    parser.add_argument("--idle", type=seconds_list, default=[], metavar="SECONDS,...",
                        help="also read the weights this long after training, as read and drift-compensated")
    parser.add_argument("--complete", type=int, default=0, metavar="N",
                        help="also print the Gibbs completion error of the bottom halves of N test digits")
    args = parser.parse_args()
    per_unit = tuple(float(x) for x in args.pulses_per_unit.split(","))
    with tempfile.TemporaryDirectory() as folder:
        try:  # the sweep's own copies: every combination validated before any is screened
            variants = plan(Path(args.scenario), [Setting.parse(text) for text in args.set], 1, Path(folder))
        except NeurochipError as error:  # a wrong key or value: the files and keys named, exit 2 as the CLI's
            print(f"device_cd_screen.py: {error}", file=sys.stderr)
            sys.exit(2)
        for variant in variants:
            label = ", ".join(f"{key}={value}" for key, value in variant.settings.items())
            screen(variant.scenario_file, label or Path(args.scenario).name, args.rates, args.passes, args.seeds,
                   per_unit, args.idle, args.complete)


def seconds_list(text: str) -> list[float]:
    """'120,600' -> [120.0, 600.0] (argparse reports a ValueError as a usage error, exit 2)."""
    return [float(x) for x in text.split(",") if x]


def screen(scenario: Path, label: str, rates: str | None, passes: int | None, seeds: int,
           per_unit: tuple[float, float], idles: list[float], complete: int) -> None:
    """Print the free-energy accuracy of ``scenario``'s core, per pulse rate and seed, and their mean
    (and the Gibbs completion error of ``complete`` test digits)."""
    setup = load_scenario(scenario)
    learning = setup.scenario.learning
    core = next(c for c in setup.chip.cores if c.name == learning.core)
    _, _, _, scale, _ = mapping(scenario.parent / setup.scenario.chip, core.name)
    rates = [float(r) for r in rates.split(",")] if rates else [learning.pulse_rate, learning.pulse_rate / 2]
    passes = passes or learning.epochs
    shape = (core.array.rows, core.array.cols)
    print(f"{label}: core {core.name} {shape[0]} x {shape[1]}, {core.device.model} devices, "
          f"{scale:.2f} RBM units per chip weight, {passes} passes, decay {learning.pulse_decay}, "
          f"label pulses {learning.label_pulses}")
    for rate in rates:
        scores, completions = [], []
        for seed in range(1, seeds + 1):
            rng = np.random.default_rng(seed)
            counts = Counter()
            array = device_array(core.device, shape, rng, lambda kind, n: counts.update({kind: n}))
            start = time.perf_counter()
            array.program(initial_weights(setup, shape, rng), 0.0)
            w, end = train(array, scale, learning, rate, passes, per_unit, rng)
            scores.append(free_energy_accuracy(w))
            print(f"  pulse_rate {rate:g}, seed {seed}: free energy {scores[-1]:.3f}, "
                  f"refreshes per cell {counts['refresh'] / w.size:.1f}, "
                  f"mean |W| {np.abs(w[:VISIBLE, :HIDDEN]).mean():.2f} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
            for idle in idles:
                print("    " + drifted(array, scale, w, end, idle), flush=True)
            if complete:
                error, mean_image = completion_error(w, complete, rng)
                completions.append(error)
                print(f"    completion {error:.4f} (mean image {mean_image:.4f})", flush=True)
        print(f"pulse_rate {rate:g}: free energy {np.mean(scores):.3f} +- {np.std(scores) / np.sqrt(len(scores)):.3f} "
              f"(mean +- standard error over {len(scores)} seeds)", flush=True)
        if completions:
            print(f"pulse_rate {rate:g}: completion {np.mean(completions):.4f} "
                  f"+- {np.std(completions) / np.sqrt(len(completions)):.4f}", flush=True)


def drifted(array, scale: float, w_end: np.ndarray, end: float, idle: float) -> str:
    """The free energy of the weights read ``idle`` s after the end of training, as read and with one
    global gain that restores their summed |W| (pixel and label rows, hidden columns) to ``w_end``'s."""
    w = array.weights(end + idle, noisy=False) * scale
    block = (slice(0, VISIBLE), slice(0, HIDDEN))
    gain = np.abs(w_end[block]).sum() / np.abs(w[block]).sum()
    return (f"after {idle:g} s idle: free energy {free_energy_accuracy(w):.3f}, "
            f"drift-compensated (gain {gain:.3f}) {free_energy_accuracy(w * gain):.3f}")


def initial_weights(setup, shape, rng) -> np.ndarray:
    """The scenario's initial normal draw of the core's weights (chip units), as the run programs them."""
    spec = setup.scenario.weights[setup.scenario.learning.core]
    return rng.normal(*spec.normal, size=shape) if spec.normal else np.zeros(shape)


if __name__ == "__main__":
    main()
