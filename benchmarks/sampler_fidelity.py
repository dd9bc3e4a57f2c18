"""How faithfully a chip's spiking RBM samples the RBM its crossbar stores, against Gibbs sampling.

Trains a plain numpy RBM (CD-1, 30 passes, mini-batches of 20) on scikit-learn's digits in
the digits cores' layout (64 pixels + 10 x 4 label units + 8 bias rows; 100 hidden + 8 bias
columns), maps it onto a chip file's core, and compares, per test image with its top half
clamped, the chip's free-running P(on) with the marginals of a Gibbs sampler of the same
RBM (50 chains x 300 sweeps), in the same run. Prints, for the free pixels, the label
units and the hidden units, the means and the correlation between the two, and the
completion error of the bottom halves: a sampler that reproduces Gibbs completes as well.

The mapping: the core's transfer curve (P(on) = rate x refractory against a constant drive,
fitted by a logistic of width s) sets the scale. A partner 'on' with probability p fires at
p / t_ref and adds a mean drive of w p tau_eff / t_ref, with tau_eff = tau_syn for current
synapses and tau for delta ones, so an RBM weight W is programmed as w = W t_ref s / tau_eff.
Biases ride on the bias lines (rate 283 Hz) and the resting potential puts P(on) at 0.35
with no input, as in the shipped scenarios; clamped lines fire at 1 / t_ref (Poisson).

Run: python benchmarks/sampler_fidelity.py [CHIP] [--images N] [--readout SECONDS]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from neurochip.chip import build_chip
from neurochip.data import digits
from neurochip.description import load_chip, load_scenario
from neurochip.kernel.engine import Engine
from neurochip.learning.session import LearningRun, occluded_mask
from neurochip.ledger import Ledger
from neurochip.randomness import Streams
from neurochip.transfer import measure

REPO = Path(__file__).resolve().parent.parent
PIXELS, CLASSES, LABELS, BIAS_ROWS, HIDDEN, BIAS_COLS = 64, 10, 4, 8, 100, 8
VISIBLE = PIXELS + CLASSES * LABELS
BIAS_RATE, ZERO_INPUT_P_ON = 283.0, 0.35
OFFSET_P = np.log(ZERO_INPUT_P_ON / (1 - ZERO_INPUT_P_ON))  # the neurons' own logit at no input


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def layout(images, labels) -> np.ndarray:
    v = np.zeros((len(images), VISIBLE))
    v[:, :PIXELS] = images.reshape(len(images), -1) >= 0.5
    for c in range(CLASSES):
        v[labels == c, PIXELS + c * LABELS: PIXELS + (c + 1) * LABELS] = 1
    return v


def train_rbm(v: np.ndarray, rng, passes=30, batch=20, rate=0.05, decay=1.0, gibbs_steps=1, momentum=0.0):
    """CD-``gibbs_steps`` with mean-field hidden statistics, the rate multiplied by ``decay`` after each
    pass; with ``momentum``, each step adds that fraction of the previous one (at most 0.5 over the first
    five passes, as Hinton's practical guide to RBMs, UTML TR 2010-003, advises). Returns weights,
    visible and hidden biases."""
    w, a, b = rng.normal(0, 0.05, (VISIBLE, HIDDEN)), np.zeros(VISIBLE), np.zeros(HIDDEN)
    steps = [np.zeros_like(w), np.zeros_like(a), np.zeros_like(b)]
    for pass_ in range(passes):
        rate_now = rate * decay ** pass_
        carried = min(momentum, 0.5) if pass_ < 5 else momentum
        order = rng.permutation(len(v))
        for start in range(0, len(v), batch):
            data = v[order[start:start + batch]]
            p_h = p_model_h = sigmoid(data @ w + b)
            for _ in range(gibbs_steps):
                h = rng.random(p_model_h.shape) < p_model_h
                model = (rng.random(data.shape) < sigmoid(h @ w.T + a)).astype(float)
                p_model_h = sigmoid(model @ w + b)
            updates = (rate_now * (data.T @ p_h - model.T @ p_model_h) / len(data),
                       rate_now * (data - model).mean(axis=0), rate_now * (p_h - p_model_h).mean(axis=0))
            for parameter, step, update in zip((w, a, b), steps, updates):
                step *= carried
                step += update
                parameter += step
    return w, a, b


def gibbs_marginals(w, a, b, image, known, rng, chains=50, sweeps=300, burn_in=50):
    """Mean P(v) and P(h) of Gibbs chains with the pixels where ``known`` clamped."""
    v = np.zeros((chains, VISIBLE))
    v[:, :PIXELS][:, known] = image[known]
    p_v_sum, p_h_sum = 0.0, 0.0
    for sweep in range(sweeps):
        p_h = sigmoid(v @ w + b)
        p_v = sigmoid((rng.random(p_h.shape) < p_h) @ w.T + a)
        v = (rng.random(p_v.shape) < p_v).astype(float)
        v[:, :PIXELS][:, known] = image[known]
        if sweep >= burn_in:
            p_v_sum, p_h_sum = p_v_sum + p_v.mean(axis=0), p_h_sum + p_h.mean(axis=0)
    return p_v_sum / (sweeps - burn_in), p_h_sum / (sweeps - burn_in)


def gibbs_completions(w, a, b, images: np.ndarray, known, rng, chains=20, sweeps=150, burn_in=30) -> np.ndarray:
    """``gibbs_marginals`` of the pixels for each of ``images`` (binary, flat), with its ``known`` pixels
    clamped (one flat mask for all images, or one per image)."""
    return np.array([gibbs_marginals(w, a, b, image, mask, rng, chains, sweeps, burn_in)[0][:PIXELS]
                     for image, mask in zip(images, np.broadcast_to(known, images.shape))])


def calibrate(chip_path: Path, core_name: str | None):
    """(core spec, tick, logistic offset and width of the transfer curve)."""
    chip, _ = load_chip(chip_path)
    core = next(c for c in chip.cores if core_name in (None, c.name))
    curve = measure(core, chip.clock.tick, np.linspace(-2, 5, 36), 1.0)
    return core, curve.offset, curve.width


def mapping(chip_path: Path, core_name: str | None):
    """(core spec, transfer offset, width, RBM weight per chip weight, rest that puts P(on) at
    ZERO_INPUT_P_ON with no input), as the module's docstring derives."""
    core, offset, width = calibrate(chip_path, core_name)
    lif = core.neurons.rows
    tau_eff = lif.tau_syn if lif.tau_syn is not None else lif.tau
    return core, offset, width, tau_eff / (lif.refractory * width), offset + width * OFFSET_P


def chip_weights(w, a, b, scale: float) -> np.ndarray:
    """The crossbar: RBM weights / scale; biases spread over the bias lines, less the neurons' own offset."""
    out = np.zeros((VISIBLE + BIAS_ROWS, HIDDEN + BIAS_COLS))
    bias_drive = scale * BIAS_RATE * 1e-3  # a bias line's mean 'on' (rate x 1 ms) times the scale
    out[:VISIBLE, :HIDDEN] = w / scale
    out[:VISIBLE, HIDDEN:] = ((a - OFFSET_P) / (bias_drive * BIAS_COLS))[:, None]
    out[VISIBLE:, :HIDDEN] = ((b - OFFSET_P) / (bias_drive * BIAS_ROWS))[None, :]
    return out


def build_run(chip_path: Path, core, rest: float, weights: np.ndarray, folder: Path, readout: float,
              learning: dict | None = None):
    """A learning run of the mapped RBM on the chip; ``learning`` replaces keys of its learning block
    (the default: no training, Poisson clamped lines at 1 / refractory period)."""
    np.save(folder / "weights.npy", weights)
    refractory = core.neurons.rows.refractory
    scenario = {"name": "sampler-fidelity", "chip": str(chip_path.resolve()), "seed": 1,
                "weights": {core.name: {"file": "weights.npy"}},
                "learning": {"mode": "spiking-rbm", "core": core.name, "data": {"set": "digits"}, "epochs": 0,
                             "hidden": HIDDEN, "labels_per_class": LABELS,
                             "bias": {"visible": BIAS_ROWS, "hidden": BIAS_COLS, "rate": f"{BIAS_RATE} Hz"},
                             "rate_on": f"{1 / refractory} Hz", "input_train": "poisson", "rest": float(rest),
                             "readout": f"{readout} s", **(learning or {})}}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario))
    setup = load_scenario(folder / "scenario.yaml")
    engine = Engine(setup.chip.clock.tick)
    chip = build_chip(setup, engine, Ledger(), Streams(1))
    return LearningRun(setup.scenario.learning, setup.datasets, chip, Streams(1), progress=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chip", nargs="?", default=str(REPO / "chips" / "digits-rbm-ideal.yaml"))
    parser.add_argument("--core", help="the RBM core (default: the first)")
    parser.add_argument("--images", type=int, default=20, help="test images completed")
    parser.add_argument("--readout", type=float, default=0.3, help="free-running time per image (s)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    train, test = digits()
    started = time.perf_counter()
    w, a, b = train_rbm(layout(train.images, train.labels), rng)
    trained = time.perf_counter() - started

    core, offset, width, scale, rest = mapping(Path(args.chip), args.core)
    lif = core.neurons.rows
    with tempfile.TemporaryDirectory() as folder:
        run = build_run(Path(args.chip), core, rest, chip_weights(w, a, b, scale), Path(folder),
                        args.readout)
    rbm = run.rbm
    hidden_counts = np.zeros(rbm.core.crossbar.cols)

    def count_hidden(sender, side, tick, ids):
        if rbm.counting and sender == rbm.core.name and side == "cols":
            hidden_counts[ids] += 1
    run.chip.router.observers.append(count_hidden)

    occluded = occluded_mask(test.shape, "bottom").ravel()
    known = np.flatnonzero(~occluded)
    images = (test.images[:args.images].reshape(args.images, -1) >= 0.5).astype(float)
    chip_v, chip_h, gibbs_v, gibbs_h = [], [], [], []
    chip_seconds = gibbs_seconds = 0.0
    for image in images:
        started = time.perf_counter()
        hidden_counts[:] = 0
        p_on = rbm.read("reconstruction", known, np.intersect1d(np.flatnonzero(image), known), args.readout)
        chip_v.append(p_on[:VISIBLE])
        chip_h.append(hidden_counts[:HIDDEN] * lif.refractory / args.readout)
        chip_seconds += time.perf_counter() - started
        started = time.perf_counter()
        p_v, p_h = gibbs_marginals(w, a, b, image, ~occluded, rng)
        gibbs_v.append(p_v)
        gibbs_h.append(p_h)
        gibbs_seconds += time.perf_counter() - started
    chip_v, chip_h, gibbs_v, gibbs_h = map(np.array, (chip_v, chip_h, gibbs_v, gibbs_h))

    print(f"chip {Path(args.chip).name}, core {core.name}: tau {lif.tau * 1e3:g} ms, "
          f"tau_syn {'-' if lif.tau_syn is None else f'{lif.tau_syn * 1e3:g} ms'}, refractory "
          f"{lif.refractory * 1e3:g} ms; transfer offset {offset:.3f}, width {width:.3f}; "
          f"RBM weight per chip weight {scale:.2f}, rest {rest:.3f}")
    print(f"numpy RBM: CD-1, 30 passes over {len(train)} digits in {trained:.1f} s; "
          f"{args.images} test digits, top half clamped, {args.readout * 1e3:g} ms each on chip")
    print(f"{'units':<13}{'chip P(on)':>11}{'Gibbs':>8}{'correlation':>13}")
    for name, ours, theirs in (("free pixels", chip_v[:, :PIXELS][:, occluded], gibbs_v[:, :PIXELS][:, occluded]),
                               ("labels", chip_v[:, PIXELS:], gibbs_v[:, PIXELS:]),
                               ("hidden", chip_h, gibbs_h)):
        print(f"{name:<13}{ours.mean():>11.3f}{theirs.mean():>8.3f}{np.corrcoef(ours.ravel(), theirs.ravel())[0, 1]:>13.3f}")
    truth = images[:, occluded]
    mean_image = (train.images.reshape(len(train), -1)[:, occluded] >= 0.5).mean(axis=0)
    print(f"completion MSE of the bottom halves: chip {np.mean((chip_v[:, :PIXELS][:, occluded] - truth) ** 2):.3f}, "
          f"Gibbs {np.mean((gibbs_v[:, :PIXELS][:, occluded] - truth) ** 2):.3f}, "
          f"mean training image {np.mean((mean_image - truth) ** 2):.3f}")
    print(f"wall: chip {chip_seconds:.1f} s, Gibbs {gibbs_seconds:.1f} s")


if __name__ == "__main__":
    main()
