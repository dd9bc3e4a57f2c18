"""How far below the mean image can completion of half-occluded digits go? References beside the chip's runs.

Issue 5's reconstruction target is relative: the error of completing half-occluded test
digits should be well below that of predicting the mean training image. This script
scores, in one run and on the same test digits and hidden pixels (a half, or with
``--occlude F`` a random fraction F of each digit's pixels):

* the mean training image (the yardstick);
* the mean of the 20 training images nearest by the known pixels (knows the training set);
* the mean training image of the digit's own class (knows the label the network infers);
* plain numpy RBMs of the digits cores' size and layout (64 pixels + 10 x 4 label units,
  100 hidden; mini-batches of 20), one per seed, read by Gibbs chains with the known
  pixels clamped and the labels free: by CD-1 at the chip scenarios' schedule (3 passes,
  the rate halved each pass) and for 30 passes at a constant rate, and, as well as we
  could train one, by CD-10 with momentum 0.9 for 100 passes, the rate x0.97 per pass;
* each trace given: the chip's completion as its run stored it (a learning run with
  ``learning.reconstruct``; its digits and hidden pixels are used for every row), and with
  ``--gibbs`` the same Gibbs read of the weights the run learned, mapped to RBM units as
  `sampler_fidelity.py` maps them (the chip's transfer curve, measured from the chip
  description the trace holds): is it the learned RBM or the chip's sampler that limits?

Two scores: the mean squared error of the intensities (the runs' figure) and the
fraction of pixels wrong once the intensity is thresholded at 0.5. Each row prints its
error, how far below the mean image it is (%), and for the traces what fraction of the
way from the mean image to the best numpy RBM (CD-10 with momentum) the chip got: the
yardstick of issue 5's "well below" (README, "Issue 5's figures").

Run: python benchmarks/completion_reference.py [TRACE.h5 ...] [--gibbs] [--count N] [--occlude HALF|F] [--seeds N]

Measured (100 test digits, bottom halves, 10 seeds; about 2.5 min):

| predictor | MSE | below the mean image | pixels wrong | below the mean image |
|---|---|---|---|---|
| mean training image | 0.1365 | | 0.2209 | |
| 20 nearest training images | 0.0969 | 29 % | 0.1369 | 38 % |
| own class's mean image | 0.0955 | 30 % | 0.1338 | 39 % |
| numpy RBM, chip schedule (rate 0.3) | 0.1146 +- 0.0034 | 16 % | 0.1689 +- 0.0074 | 24 % |
| numpy RBM, 30 passes (rate 0.05) | 0.1106 +- 0.0040 | 19 % | 0.1629 +- 0.0069 | 26 % |
| numpy RBM, CD-10 + momentum, 100 passes | 0.1045 +- 0.0018 | 23 % | 0.1530 +- 0.0028 | 31 % |

With `--gibbs` and the traces of `scenarios/rbm-reconstruction.yaml` (ideal synapses) and
`scenarios/rbm-reconstruction-pcm.yaml` (PCM pairs), seeds 1-5 each: the ideal runs
complete at 0.114-0.120 (0.52-0.70 of the way to the best RBM; pixels wrong 18-25 %
below the mean image), Gibbs on their weights at 0.114-0.119; the PCM runs at 0.121-0.127
(0.30-0.48 of the way; 13-19 %), Gibbs on their weights at 0.130-0.135, worse than the
chip's own read of them.

With half of each digit's pixels hidden at random (`occlude: {random: 0.5}`, mask seed 0;
`--occlude 0.5` without traces): mean image 0.1319, 20 nearest training images 36 % below
it, own class's mean image 28 %, numpy RBMs 27 % (chip schedule), 33 % (30 passes) and 38 %
(CD-10 with momentum); the ideal runs of seeds 1-3 complete 25-29 % below it, the PCM runs
15-19 %.

With another half hidden (`--occlude top`, `left`, `right`; 10 seeds; the chip: seed 1 of
`rbm-reconstruction.yaml` with the same `occlude`), below the mean image (0.126, 0.120,
0.143): numpy RBMs at the chip's schedule 20 %, 18 %, 13 %, after 30 passes 25 %, 22 %,
14 %, by CD-10 with momentum 28 %, 23 %, 17 %; the 20 nearest training images 28 %, 28 %,
21 %; own class's mean image 29 %, 31 %, 29 %; the chip 17 %, 12 %, 10 % (Gibbs on its
weights 20 %, 10 %, 11 %); the PCM recipe (seed 1 of `rbm-reconstruction-pcm.yaml`) 15 %,
11 %, 7 % (Gibbs on its left-half run's weights 6 %). None of the RBMs trained here
completes a half more than 28 % below the mean image; with 200 or 500 hidden units
(scratch, bottom halves, 2-5 seeds) they stay at 21-27 %.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np
import yaml

from neurochip.data import digits
from neurochip.data.datasets import select
from neurochip.errors import NeurochipError, TraceError
from neurochip.description.learning import HALVES, RandomOcclusion
from neurochip.learning.session import NEIGHBOURS, nearest_neighbours_completion, occlusion_masks
from neurochip.traces.reader import Trace
from device_cd_screen import learned_completions
from sampler_fidelity import gibbs_completions, layout, mapping, train_rbm

CEILING = "numpy RBM, CD-10 + momentum, 100 passes"  # the best we could train
SCHEDULES = {  # name: sampler_fidelity.train_rbm's settings
    "numpy RBM, chip schedule (rate 0.3)": dict(passes=3, rate=0.3, decay=0.5),
    "numpy RBM, 30 passes (rate 0.05)": dict(passes=30, rate=0.05),
    CEILING: dict(passes=100, rate=0.01, decay=0.97, gibbs_steps=10, momentum=0.9),
}


def scores(read: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(mean squared error, fraction of pixels wrong at threshold 0.5) of intensities ``read``
    against binary ``truth``, over all their elements."""
    return float(np.mean((read - truth) ** 2)), float(np.mean((read >= 0.5) != (truth >= 0.5)))


@dataclass
class ChipCompletion:
    """What a learning run's trace holds of its completion."""

    label: str
    reconstructions: np.ndarray  # intensities, (count, *image shape)
    originals: np.ndarray  # the binarised digits completed
    occluded: np.ndarray  # bool, (count, *image shape): the pixels hidden from each
    occlusion: str  # what was hidden, in words
    weights: np.ndarray  # the learned crossbar, chip units
    chip_yaml: str
    core: str
    training: tuple[int | None, bool]  # the run's learning.data train and balanced


def trace_completion(path: str) -> ChipCompletion:
    """A digits learning run's completion, from its trace; a ``TraceError`` naming the file if it has none."""
    with Trace(path) as trace:
        record = trace.learning()
        if record is None or "reconstructions" not in record["results"]:
            raise TraceError(f"{path}: no reconstructions (a learning run with learning.reconstruct writes them)")
        scenario = yaml.safe_load(trace.text("scenario_yaml"))
        chip_yaml, meta = trace.text("chip_yaml"), trace.meta
    data = scenario["learning"]["data"]
    if data["set"] != "digits":
        raise TraceError(f"{path}: learned {data['set']}; the references here are for the digits")
    results = record["results"]
    occlude = scenario["learning"]["reconstruct"].get("occlude", "bottom")
    occluded = results.get("occluded")  # traces before it hid the same half of every digit
    if occluded is None:
        occluded = occlusion_masks(results["originals"].shape[1:], occlude, len(results["originals"]))
    return ChipCompletion(label=f"chip: {meta.get('scenario', Path(path).stem)}, seed {meta.get('seed', '?')}",
                          reconstructions=results["reconstructions"], originals=results["originals"],
                          occluded=np.asarray(occluded, bool), occlusion=describe(occlude),
                          weights=results["weights"].astype(float), chip_yaml=chip_yaml,
                          core=str(record["attrs"]["core"]),
                          training=(data.get("train"), bool(data.get("balanced", False))))


def describe(occlude: str | dict | RandomOcclusion) -> str:
    """An ``occlude`` (a half, or {random: fraction} as written or parsed) in words."""
    if isinstance(occlude, str):
        return f"{occlude} halves occluded"
    fraction = occlude["random"] if isinstance(occlude, dict) else occlude.random
    return f"a random {100 * fraction:g} % of each digit's pixels occluded"


def load_traces(paths: list[str], truth_of) -> list[ChipCompletion]:
    """Each trace's completion.

    The traces must share their training images and the pixels they hid, and each must hold the
    first test digits (``truth_of(count)``, binarised). Exits with status 2 and a message naming
    the file on a missing, wrong or mismatched trace."""
    try:
        traces = [trace_completion(path) for path in paths]
    except NeurochipError as error:
        fail(str(error))
    first = traces[0] if traces else None
    for path, trace in zip(paths, traces):
        if trace.occluded.shape != first.occluded.shape or (trace.occluded != first.occluded).any():
            fail(f"{path}: {len(trace.originals)} digits with {trace.occlusion}, "
                 f"where {paths[0]} has {len(first.originals)} with {first.occlusion} (not the same pixels)")
        if trace.training != first.training:
            fail(f"{path}: learning.data train/balanced {trace.training}, where {paths[0]} has {first.training}")
        if not np.array_equal(trace.originals, truth_of(len(trace.originals))):
            fail(f"{path}: its digits are not the first {len(trace.originals)} test digits of the fixed split")
    return traces


def occlusion_argument(text: str) -> str | RandomOcclusion:
    """``--occlude``: a half's name, or a fraction of the pixels hidden at random."""
    if text in HALVES:
        return text
    try:
        return RandomOcclusion(random=float(text))
    except ValueError:  # pydantic's ValidationError is one
        raise argparse.ArgumentTypeError(f"expected bottom, top, left, right or a fraction between 0 and 1, "
                                         f"got {text!r}") from None


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def rbm_completions(train, truth: np.ndarray, known: np.ndarray, schedule: dict, seed: int) -> np.ndarray:
    """``sampler_fidelity.gibbs_completions`` (20 chains x 150 sweeps, 30 discarded) of a numpy RBM trained
    with ``schedule`` (``train_rbm``'s keywords) from ``seed``."""
    rng = np.random.default_rng(seed)
    w, a, b = train_rbm(layout(train.images, train.labels), rng, **schedule)
    return gibbs_completions(w, a, b, truth, known, rng)


@functools.cache
def rbm_units_per_chip_weight(chip_yaml: str, core: str) -> float:
    """``sampler_fidelity.mapping``'s scale for a chip description's core (one transfer curve per chip)."""
    with tempfile.TemporaryDirectory() as folder:
        chip_path = Path(folder) / "chip.yaml"
        chip_path.write_text(chip_yaml)
        return mapping(chip_path, core)[3]


def trace_gibbs_completions(trace: ChipCompletion, truth: np.ndarray, known: np.ndarray) -> np.ndarray:
    """``device_cd_screen.learned_completions`` of the RBM a run learned, its crossbar in RBM units. The biases
    are those of the shipped digits scenarios' settings: bias lines 'on' 0.283 of the time, P(on) 0.35 at no
    input."""
    w = trace.weights * rbm_units_per_chip_weight(trace.chip_yaml, trace.core)
    return learned_completions(w, truth, known, np.random.default_rng(0))


def reference_rows(train, test, occluded: np.ndarray, seeds: int) -> tuple[dict, dict]:
    """{predictor: (MSE, pixels wrong)} for the references on the first test digits with their
    ``occluded`` pixels hidden (bool, one image-shaped mask per digit), and {predictor: their sd}
    for the numpy RBMs."""
    count = len(occluded)
    images = test.images[:count]
    truth = (images >= 0.5).astype(float)
    hidden_truth = truth[occluded]
    binary_train = train.images >= 0.5
    mean_image = np.broadcast_to(binary_train.mean(axis=0), truth.shape)
    class_means = np.array([binary_train[train.labels == c].mean(axis=0) for c in test.labels[:count]])
    rows = {"mean training image": scores(mean_image[occluded], hidden_truth),
            f"{NEIGHBOURS} nearest training images": scores(
                nearest_neighbours_completion(train.images, images, occluded)[occluded], hidden_truth),
            "own class's mean image": scores(class_means[occluded], hidden_truth)}
    spread = {}
    known = ~occluded.reshape(count, -1)
    for name, schedule in SCHEDULES.items():
        per_seed = np.array([scores(rbm_completions(train, truth.reshape(count, -1), known, schedule, seed)
                                    [~known], hidden_truth) for seed in range(1, seeds + 1)])
        rows[name] = tuple(per_seed.mean(axis=0))
        spread[name] = per_seed.std(axis=0, ddof=1) if seeds > 1 else None
    return rows, spread


def print_table(rows: dict, spread: dict, count: int, occlusion: str, seeds: int, trained_on: int) -> None:
    base, ceiling = rows["mean training image"], rows[CEILING]
    print(f"{count} test digits, {occlusion}; references from {trained_on} training digits; "
          f"numpy RBMs over {seeds} seeds (mean +- sd)")
    print(f"{'predictor':44s} {'MSE':>16s} {'below':>6s} {'pixels wrong':>16s} {'below':>6s}"
          "  of the way to the best RBM")
    for name, values in rows.items():
        sd = spread.get(name)
        cells = [f"{value:.4f}" + (f" +- {sd[i]:.4f}" if sd is not None else "") for i, value in enumerate(values)]
        below = [f"{(1 - value / base[i]) * 100:5.0f}%" for i, value in enumerate(values)]
        way = ""
        if name.startswith("chip"):  # undefined where the RBM does not beat the mean image
            way = "  " + " / ".join(f"{(base[i] - value) / (base[i] - ceiling[i]):.2f}" if ceiling[i] < base[i] else "-"
                                    for i, value in enumerate(values))
        print(f"{name:44s} {cells[0]:>16s} {below[0]:>6s} {cells[1]:>16s} {below[1]:>6s}{way}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("traces", nargs="*", help="traces of learning runs that reconstructed")
    parser.add_argument("--gibbs", action="store_true", help="also Gibbs-sample each trace's learned weights")
    parser.add_argument("--count", type=int, default=100, help="test digits (default 100; the traces' own count wins)")
    parser.add_argument("--occlude", default="bottom", type=occlusion_argument,
                        help="the occluded half (bottom, top, left or right), or a fraction: that random part of "
                             "each digit's pixels (default bottom; the traces' own pixels win)")
    parser.add_argument("--seeds", type=int, default=10, help="numpy RBMs per schedule (default 10)")
    args = parser.parse_args()
    train, test = digits()
    if args.seeds < 1:
        parser.error("--seeds: expected at least 1")
    if not 1 <= args.count <= len(test):
        parser.error(f"--count: expected 1 to {len(test)} (the test digits)")
    chips = load_traces(args.traces, lambda n: (test.images[:n] >= 0.5).astype(np.float32))
    if chips:
        n_train, balanced = chips[0].training
        train, _ = select(train, test, n_train, None, balanced)
        occluded, occlusion = chips[0].occluded, chips[0].occlusion
    else:  # the masks a run with occlude: {random: F} hides (mask seed 0)
        occluded = occlusion_masks(test.images.shape[1:], args.occlude, args.count)
        occlusion = describe(args.occlude)
    rows, spread = reference_rows(train, test, occluded, args.seeds)
    count = len(occluded)
    truth = (test.images[:count] >= 0.5).reshape(count, -1).astype(float)
    hidden = occluded.reshape(count, -1)
    for trace in chips:
        rows[trace.label] = scores(trace.reconstructions.reshape(count, -1)[hidden], truth[hidden])
        if args.gibbs:
            rows[trace.label + ", Gibbs"] = scores(trace_gibbs_completions(trace, truth, ~hidden)[hidden],
                                                   truth[hidden])
    print_table(rows, spread, count, occlusion, args.seeds, len(train))


if __name__ == "__main__":
    main()
