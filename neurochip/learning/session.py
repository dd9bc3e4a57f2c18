"""A spiking-RBM learning run as a scenario describes it: train, evaluate, reconstruct, generate.

Everything runs on the chip's own kernel (no shortcut outside the event loop); results go
to the trace while the run goes: a learning-curve point as soon as it is measured, the
final results at the end. A stop request (Ctrl-C) ends the run between two samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from ..chip import Chip
from ..data import Dataset
from ..description.learning import HALVES, LearningSpec, RandomOcclusion
from ..randomness import Streams
from .rbm import RBMParams, SpikingRBM

#: training images averaged by the nearest-neighbour reference of a reconstruction
NEIGHBOURS = 20


@dataclass
class LearningResult:
    samples_seen: int = 0
    curve: list[tuple[int, float]] = field(default_factory=list)  # (samples, accuracy)
    test_accuracy: float | None = None
    train_accuracy: float | None = None
    free_energy_accuracy: float | None = None
    reconstruction_error: float | None = None  # mean squared error of the intensity read on occluded pixels
    mean_image_error: float | None = None  # the same for the mean training image
    neighbours_error: float | None = None  # the same for the mean of the nearest training images
    neighbours: int | None = None  # how many nearest training images that mean takes
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    stopped: bool = False

    def figures(self) -> dict[str, float | int]:
        """The headline numbers measured (name -> value), with the neighbour count that labels one."""
        names = ("test_accuracy", "train_accuracy", "free_energy_accuracy", "reconstruction_error", "mean_image_error",
                 "neighbours_error", "neighbours")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


def occluded_mask(shape: tuple[int, int], half: str) -> np.ndarray:
    """True on the pixels hidden from the network (``half`` of the image)."""
    mask = np.zeros(shape, bool)
    mask[HALVES[half](*shape)] = True
    return mask


def occlusion_masks(shape: tuple[int, int], occlude: str | RandomOcclusion, count: int) -> np.ndarray:
    """(count, *shape) bool, True on the pixels hidden from each image: the same half for every
    image, or ``occlude.random`` of the pixels (rounded, at least one hidden and one known) drawn
    for each image anew from ``occlude.seed``."""
    if isinstance(occlude, str):
        return np.broadcast_to(occluded_mask(shape, occlude), (count, *shape))
    pixels = int(np.prod(shape))
    hidden = min(max(round(occlude.random * pixels), 1), pixels - 1)
    rng = np.random.default_rng(occlude.seed)
    return rng.permuted(np.tile(np.arange(pixels) < hidden, (count, 1)), axis=1).reshape(count, *shape)


def nearest_neighbours_completion(train: np.ndarray, images: np.ndarray, hidden: np.ndarray,
                                  k: int = NEIGHBOURS) -> np.ndarray:
    """Each image completed as the mean of the ``k`` training images closest to it on its known
    pixels (squared distance; images binarised at 0.5 like the RBM's); ``hidden`` (bool) is one
    image-shaped mask for all or one per image. Returns whole images: the caller reads the hidden
    pixels. A reference that knows the whole training set: how far below the mean image a
    completion can get on these data (20 neighbours: 0.095 against 0.139 for the bottom halves
    of the digits' 360 test images)."""
    from sklearn.neighbors import NearestNeighbors

    flat_train = (train.reshape(len(train), -1) >= 0.5).astype(np.float32)
    flat = (images.reshape(len(images), -1) >= 0.5).astype(np.float32)
    flat_hidden = np.broadcast_to(hidden, images.shape).reshape(len(images), -1)
    masks, which = np.unique(flat_hidden, axis=0, return_inverse=True)
    completion = np.empty_like(flat)
    for mask, rows in ((mask, np.flatnonzero(which.ravel() == m)) for m, mask in enumerate(masks)):
        index = NearestNeighbors(n_neighbors=min(k, len(train))).fit(flat_train[:, ~mask])
        nearest = index.kneighbors(flat[rows][:, ~mask], return_distance=False)
        completion[rows] = flat_train[nearest].mean(axis=1)
    return completion.reshape(images.shape)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int) -> np.ndarray:
    """Counts by (true class, predicted class); a missing prediction (-1) counts in no column."""
    matrix = np.zeros((classes, classes), np.int64)
    valid = predictions >= 0
    np.add.at(matrix, (labels[valid], predictions[valid]), 1)
    return matrix


class LearningRun:
    """Drives one learning scenario on a built chip; ``writer`` receives the results (may be None)."""

    def __init__(self, spec: LearningSpec, datasets: tuple[Dataset, Dataset], chip: Chip, streams: Streams,
                 writer=None, progress: bool = True, after_sample=None):
        self.spec, self.chip, self.writer, self.progress = spec, chip, writer, progress
        self.after_sample = after_sample or (lambda: None)
        self.train_set, self.test_set = datasets
        self.engine = chip.engine
        core = chip.cores[spec.core]
        self.shape = self.train_set.images.shape[1:]
        params = RBMParams.from_spec(spec, core.neurons["rows"].spec.refractory)
        self.rbm = SpikingRBM(core, self.engine, chip.router, self.train_set.classes,
                              int(np.prod(self.shape)), params, streams.generator("learning/rbm"))
        chip.sources[self.rbm.rows_in.name] = self.rbm.rows_in
        chip.sources[self.rbm.cols_in.name] = self.rbm.cols_in
        self.order_rng = streams.generator("learning/order")
        self.result = LearningResult()
        if writer is not None:
            writer.add_learning_group(mode=spec.mode, core=spec.core, data=self.train_set.name,
                                      classes=self.train_set.classes, train_images=len(self.train_set),
                                      test_images=len(self.test_set), samples_seen=0,
                                      image_shape=np.array(self.shape), hidden=spec.hidden)

    @property
    def stopped(self) -> bool:
        return self.engine.stop_requested

    def run(self) -> LearningResult:
        spec, result = self.spec, self.result
        total = spec.epochs * len(self.train_set)
        every = spec.evaluate_every or len(self.train_set)
        evaluation = self.test_set.subset(np.arange(min(spec.evaluate_on, len(self.test_set))))
        bar = tqdm(total=total, unit="sample", desc=f"training ({self.train_set.name})", disable=not self.progress)
        try:
            for epoch in range(spec.epochs):
                if epoch:  # (pass 0 runs at the rate the RBM was built with)
                    self.rbm.scale_pulses(spec.pulse_decay ** epoch)
                for index in self.order_rng.permutation(len(self.train_set)):
                    self.rbm.train_sample(self.train_set.images[index], int(self.train_set.labels[index]))
                    if self.stopped:
                        break
                    result.samples_seen += 1
                    bar.update()
                    self.after_sample()
                    if result.samples_seen % every == 0 and result.samples_seen < total and len(evaluation):
                        self._curve_point(self.rbm.accuracy(evaluation, spec.evaluate_readout))
                if self.stopped:
                    break
        finally:
            bar.close()
        if not self.stopped:
            self._evaluate()
        result.stopped = self.stopped
        self._write_results()
        return result

    def _curve_point(self, accuracy: float) -> None:
        self.result.curve.append((self.result.samples_seen, accuracy))
        if self.writer is not None:
            self.writer.on_learning_point(self.result.samples_seen, self.engine.seconds(self.engine.now), accuracy)

    def _evaluate(self) -> None:
        spec, result, rbm, test = self.spec, self.result, self.rbm, self.test_set
        if len(test):
            predictions = rbm.predictions(test)
            result.test_accuracy = float(np.mean(predictions == test.labels))
            self._curve_point(result.test_accuracy)
            result.arrays["predictions"] = predictions
            result.arrays["confusion"] = confusion_matrix(test.labels, predictions, test.classes)
            # the sigmoid's scale is chosen on training images, then applied to the test set
            scale = rbm.free_energy_scale(self.train_set.subset(np.arange(min(200, len(self.train_set)))))
            free_energy = rbm.free_energy_predictions(test.images, scale)
            result.free_energy_accuracy = float(np.mean(free_energy == test.labels))
        if spec.train_accuracy and not self.stopped:
            result.train_accuracy = rbm.accuracy(self.train_set)
        if spec.reconstruct is not None and len(test) and not self.stopped:
            self._reconstruct(spec.reconstruct)
        if spec.generate is not None and not self.stopped:
            result.arrays["generated"] = np.array([rbm.generate(c, spec.generate.duration, self.shape)
                                                   for c in range(test.classes)], np.float32)

    def _reconstruct(self, spec) -> None:
        test = self.test_set
        count = spec.count or len(test)  # the loader holds it to the test images
        hidden = occlusion_masks(self.shape, spec.occlude, count)
        originals = (test.images[:count] >= 0.5).astype(np.float32)
        read = np.array([self.rbm.reconstruct_sample(test.images[i], ~hidden[i], spec.duration, spec.restarts)
                         for i in range(count)], np.float32)
        mean_image = np.broadcast_to((self.train_set.images >= 0.5).mean(axis=0), originals.shape)
        self.result.reconstruction_error = float(np.mean((read[hidden] - originals[hidden]) ** 2))
        self.result.mean_image_error = float(np.mean((mean_image[hidden] - originals[hidden]) ** 2))
        self.result.neighbours = min(NEIGHBOURS, len(self.train_set))
        neighbours = nearest_neighbours_completion(self.train_set.images, originals, hidden, self.result.neighbours)
        self.result.neighbours_error = float(np.mean((neighbours[hidden] - originals[hidden]) ** 2))
        self.result.arrays["reconstructions"] = np.where(hidden, read, originals)
        self.result.arrays["originals"] = originals
        self.result.arrays["occluded"] = np.ascontiguousarray(hidden)

    def _write_results(self) -> None:
        now = self.engine.seconds(self.engine.now)  # the learned weights, also after a Ctrl-C
        self.result.arrays["weights"] = self.rbm.core.crossbar.weights(now).astype(np.float32)
        if self.writer is None:
            return
        self.writer.write_learning_results(self.result.samples_seen, self.result.arrays, **self.result.figures())
