"""How far below the mean image can completion of half-occluded digits go? References beside the chip's runs.

Issue 5's reconstruction target is relative: the error of completing half-occluded test
digits should be well below that of predicting the mean training image. This script
scores, in one run and on the same test digits and occluded half:

* the mean training image (the yardstick);
* the mean of the 20 training images nearest by the known half (knows the training set);
* the mean training image of the digit's own class (knows the label the network infers);
* plain numpy RBMs of the digits cores' size and layout (64 pixels + 10 x 4 label units,
  100 hidden; CD-1, mini-batches of 20), one per seed, read by Gibbs chains with the known
  half clamped and the labels free: at the chip scenarios' schedule (3 passes, the rate
  halved each pass) and trained for 30 passes at a constant rate;
* each trace given: the chip's completion as its run stored it (a learning run with
  ``learning.reconstruct``; its count and occluded half are used for every row).

Two scores: the mean squared error of the intensities (the runs' figure) and the
fraction of pixels wrong once the intensity is thresholded at 0.5. Each row prints its
error, how far below the mean image it is (%), and for the traces what fraction of the
way from the mean image to the 30-pass numpy RBM the chip got.

Run: python benchmarks/completion_reference.py [TRACE.h5 ...] [--count N] [--occlude HALF] [--seeds N]

Measured (100 test digits, bottom halves, 10 seeds; about 40 s):

| predictor | MSE | below the mean image | pixels wrong | below the mean image |
|---|---|---|---|---|
| mean training image | 0.1365 | | 0.2209 | |
| 20 nearest training images | 0.0969 | 29 % | 0.1369 | 38 % |
| own class's mean image | 0.0955 | 30 % | 0.1338 | 39 % |
| numpy RBM, chip schedule (rate 0.3) | 0.1146 +- 0.0034 | 16 % | 0.1689 +- 0.0074 | 24 % |
| numpy RBM, 30 passes (rate 0.05) | 0.1106 +- 0.0040 | 19 % | 0.1629 +- 0.0069 | 26 % |
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

import numpy as np
import yaml

from neurochip.data import digits
from neurochip.errors import NeurochipError, TraceError
from neurochip.learning.session import NEIGHBOURS, nearest_neighbours_completion, occluded_mask
from neurochip.traces.reader import Trace
from sampler_fidelity import PIXELS, gibbs_marginals, layout, train_rbm

SCHEDULES = {  # name: (passes, first pass's rate, factor per pass)
    "numpy RBM, chip schedule (rate 0.3)": (3, 0.3, 0.5),
    "numpy RBM, 30 passes (rate 0.05)": (30, 0.05, 1.0),
}


def scores(read: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(mean squared error, fraction of pixels wrong at threshold 0.5) of intensities ``read``
    against binary ``truth``, over all their elements."""
    return float(np.mean((read - truth) ** 2)), float(np.mean((read >= 0.5) != (truth >= 0.5)))


def trace_completion(path: str) -> tuple[np.ndarray, np.ndarray, str, str]:
    """(reconstructions, originals, occluded half, label) of a learning run's trace."""
    with Trace(path) as trace:
        record = trace.learning()
        if record is None or "reconstructions" not in record["results"]:
            raise TraceError(f"{path}: no reconstructions (a learning run with learning.reconstruct writes them)")
        scenario = yaml.safe_load(trace.text("scenario_yaml"))
        meta = trace.meta
    half = scenario["learning"]["reconstruct"].get("occlude", "bottom")
    label = f"chip: {meta.get('scenario', Path(path).stem)}, seed {meta.get('seed', '?')}"
    return record["results"]["reconstructions"], record["results"]["originals"], half, label


def load_traces(paths: list[str], truth_of) -> tuple[list[tuple[str, np.ndarray]], int | None, str | None]:
    """Each trace's (label, reconstructions), and the count and half they share (None without traces).
    ``truth_of(count)`` gives the binarised first ``count`` test digits, which each trace must hold.
    Exits with status 2 and a message naming the file on a missing, wrong or mismatched trace."""
    try:
        traces = [trace_completion(path) for path in paths]
    except NeurochipError as error:
        fail(str(error))
    if not traces:
        return [], None, None
    count, half = len(traces[0][1]), traces[0][2]
    for path, (_, originals, own_half, label) in zip(paths, traces):
        if (len(originals), own_half) != (count, half):
            fail(f"{path}: {len(originals)} digits with the {own_half} halves occluded, "
                 f"where {paths[0]} has {count} with the {half} halves")
        if not np.array_equal(originals, truth_of(count)):
            fail(f"{path}: its digits are not the first {count} test digits of the fixed split")
    return [(label, reconstructions) for reconstructions, _, _, label in traces], count, half


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def rbm_completions(train, truth: np.ndarray, known: np.ndarray, schedule: tuple[int, float, float],
                    seed: int) -> np.ndarray:
    """The free pixels' Gibbs marginals, per image of ``truth`` (binary, flat), of a numpy RBM trained with
    ``schedule`` from ``seed``: 20 chains of 150 sweeps per image, the first 30 discarded."""
    passes, rate, decay = schedule
    rng = np.random.default_rng(seed)
    w, a, b = train_rbm(layout(train.images, train.labels), rng, passes=passes, rate=rate, decay=decay)
    return np.array([gibbs_marginals(w, a, b, image, known, rng, chains=20, sweeps=150, burn_in=30)[0][:PIXELS]
                     for image in truth])


def reference_rows(train, test, count: int, occluded: np.ndarray, seeds: int) -> tuple[dict, dict]:
    """{predictor: (MSE, pixels wrong)} for the references, and {predictor: their sd} for the numpy RBMs."""
    images = test.images[:count]
    truth = (images >= 0.5).astype(float)
    hidden_truth = truth[:, occluded]
    binary_train = train.images >= 0.5
    mean_image = np.broadcast_to(binary_train.mean(axis=0)[occluded], hidden_truth.shape)
    class_means = np.array([binary_train[train.labels == c].mean(axis=0)[occluded] for c in test.labels[:count]])
    rows = {"mean training image": scores(mean_image, hidden_truth),
            f"{NEIGHBOURS} nearest training images": scores(
                nearest_neighbours_completion(train.images, images, occluded), hidden_truth),
            "own class's mean image": scores(class_means, hidden_truth)}
    spread = {}
    known = ~occluded.ravel()
    for name, schedule in SCHEDULES.items():
        per_seed = np.array([scores(rbm_completions(train, truth.reshape(count, -1), known, schedule, seed)
                                    [:, ~known], hidden_truth) for seed in range(1, seeds + 1)])
        rows[name] = tuple(per_seed.mean(axis=0))
        spread[name] = per_seed.std(axis=0, ddof=1) if seeds > 1 else None
    return rows, spread


def print_table(rows: dict, spread: dict, count: int, half: str, seeds: int) -> None:
    base, ceiling = rows["mean training image"], rows[list(SCHEDULES)[-1]]
    print(f"{count} test digits, {half} halves occluded; numpy RBMs over {seeds} seeds (mean +- sd)")
    print(f"{'predictor':44s} {'MSE':>16s} {'below':>6s} {'pixels wrong':>16s} {'below':>6s}"
          "  of the way to the 30-pass RBM")
    for name, values in rows.items():
        sd = spread.get(name)
        cells = [f"{value:.4f}" + (f" +- {sd[i]:.4f}" if sd is not None else "") for i, value in enumerate(values)]
        below = [f"{(1 - value / base[i]) * 100:5.0f}%" for i, value in enumerate(values)]
        way = ""
        if name.startswith("chip"):
            way = "  " + " / ".join(f"{(base[i] - value) / (base[i] - ceiling[i]):.2f}" for i, value in enumerate(values))
        print(f"{name:44s} {cells[0]:>16s} {below[0]:>6s} {cells[1]:>16s} {below[1]:>6s}{way}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("traces", nargs="*", help="traces of learning runs that reconstructed")
    parser.add_argument("--count", type=int, default=100, help="test digits (default 100; the traces' own count wins)")
    parser.add_argument("--occlude", default="bottom", choices=("bottom", "top", "left", "right"),
                        help="the occluded half (default bottom; the traces' own half wins)")
    parser.add_argument("--seeds", type=int, default=10, help="numpy RBMs per schedule (default 10)")
    args = parser.parse_args()
    train, test = digits()
    if args.seeds < 1:
        parser.error("--seeds: expected at least 1")
    if not 1 <= args.count <= len(test):
        parser.error(f"--count: expected 1 to {len(test)} (the test digits)")
    chips, count, half = load_traces(args.traces, lambda n: (test.images[:n] >= 0.5).astype(np.float32))
    count, half = count or args.count, half or args.occlude
    occluded = occluded_mask(test.images.shape[1:], half)
    rows, spread = reference_rows(train, test, count, occluded, args.seeds)
    for label, reconstructions in chips:
        rows[label] = scores(reconstructions[:, occluded], (test.images[:count] >= 0.5)[:, occluded])
    print_table(rows, spread, count, half, args.seeds)


if __name__ == "__main__":
    main()
