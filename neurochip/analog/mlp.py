"""An MLP trained on the chip's cores by rate-coded backprop, as a scenario's ``training:`` block says.

Layers map onto the cores in order (``map_layers``): each layer's arrays are cut into
tiles of the cores' size, one core per tile. Per mini-batch: a forward pass of analog
reads (hidden units ``activation``, softmax output, cross-entropy), a backward pass
through the transposed arrays, then each layer's update by the algorithm (digital
biases take plain SGD), and the simulated clock moves by ``step_time``. After every
epoch the test accuracy is written to the trace; after training, ``lifetime`` idles the
chip for each given time (drift, retention) and measures the accuracy again.
Ledger stages: train, transfer (Tiki-Taka's reads of A), inference, idle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from ..chip import Chip
from ..data import Dataset
from ..description.training import ARRAYS, TrainingSpec
from ..randomness import Streams
from .algorithms import layer_weights
from .matrix import AnalogMatrix, Tile

ACTIVATIONS = {
    "tanh": (np.tanh, lambda y: 1 - y ** 2),
    "sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)), lambda y: y * (1 - y)),
    "relu": (lambda z: np.maximum(z, 0), lambda y: (y > 0).astype(float)),
}


class MappingError(ValueError):
    """The layers do not fit the cores given."""


def map_layers(spec: TrainingSpec, chip: Chip, rng: np.random.Generator) -> list[list[AnalogMatrix]]:
    """For each layer, its arrays (as many as the algorithm needs), tiled over the next free cores.

    The cores used all have one size (checked by the loader); tile (i, j) of a matrix
    holds its input lines i*rows... and output lines j*cols... .
    """
    names = list(spec.cores or chip.cores)
    first = chip.cores[names[0]].crossbar
    rows, cols = first.rows, first.cols
    free = iter(names)
    layers = []
    for index, (inputs, outputs) in enumerate(zip(spec.layers[:-1], spec.layers[1:])):
        matrices = []
        for role in range(ARRAYS[spec.algorithm.kind]):
            tiles = []
            for i0 in range(0, inputs, rows):
                for o0 in range(0, outputs, cols):
                    name = next(free, None)
                    if name is None:
                        raise MappingError(f"the network needs {spec.cores_needed(rows, cols)} cores of "
                                           f"{rows} x {cols}; {len(names)} given")
                    tiles.append(Tile(chip.cores[name], slice(i0, min(i0 + rows, inputs)),
                                      slice(o0, min(o0 + cols, outputs))))
            matrices.append(AnalogMatrix(f"layer{index}.{role}", tiles, inputs, outputs, spec.io, rng))
        layers.append(matrices)
    return layers


@dataclass
class TrainingResult:
    epochs_done: int = 0
    samples_seen: int = 0
    curve: list[tuple[int, float, float]] = field(default_factory=list)  # (samples, loss, test accuracy)
    test_accuracy: float | None = None
    lifetime: list[tuple[float, float]] = field(default_factory=list)  # (idle s, accuracy)
    stopped: bool = False


class TrainingRun:
    def __init__(self, spec: TrainingSpec, datasets: tuple[Dataset, Dataset], chip: Chip, streams: Streams,
                 writer=None, progress: bool = True, after_batch=None):
        self.spec, self.chip, self.writer, self.progress = spec, chip, writer, progress
        self.after_batch = after_batch or (lambda: None)
        self.engine, self.ledger = chip.engine, chip.ledger
        train, test = datasets
        self.train_x, self.train_y = train.images.reshape(len(train), -1), train.labels
        self.test_x, self.test_y = test.images.reshape(len(test), -1), test.labels
        self.train_set, self.test_set = train, test
        self.order_rng = streams.generator("training/order")
        init_rng = streams.generator("training/init")
        arrays = map_layers(spec, chip, streams.generator("training/periphery"))
        self.tally_core = (spec.cores or list(chip.cores))[0]  # inferences and samples are counted here
        self.layers = []
        self.biases = []
        for (inputs, outputs), matrices in zip(zip(spec.layers[:-1], spec.layers[1:]), arrays):
            limit = math.sqrt(6.0 / (inputs + outputs))  # Glorot uniform
            initial = init_rng.uniform(-limit, limit, (inputs, outputs))
            self.layers.append(layer_weights(spec.algorithm, matrices, initial, spec.update, self.now))
            self.biases.append(np.zeros(outputs))
        self.act, self.act_grad = ACTIVATIONS[spec.activation]
        self.decay = 1.0  # lr_decay ** epochs done
        self.result = TrainingResult()
        if writer is not None:
            writer.add_learning_group(mode=f"mlp/{spec.algorithm.kind}", core=",".join(spec.cores or chip.cores),
                                      data=train.name, classes=train.classes, train_images=len(train),
                                      test_images=len(test), samples_seen=0, image_shape=np.array(train.shape),
                                      layers=np.array(spec.layers))

    @property
    def now(self) -> float:
        return self.engine.seconds(self.engine.now)

    def _forward(self, x: np.ndarray) -> list[np.ndarray]:
        """Activations of every layer, inputs first; the last holds the logits."""
        outs = [x]
        for index, (layer, bias) in enumerate(zip(self.layers, self.biases)):
            z = layer.forward(outs[-1], self.now) + bias
            outs.append(z if index == len(self.layers) - 1 else self.act(z))
        return outs

    def _step(self, x: np.ndarray, y: np.ndarray) -> float:
        lr = self.spec.algorithm.lr * self.decay
        outs = self._forward(x)
        logits = outs[-1] - outs[-1].max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))
        d = p
        d[np.arange(len(y)), y] -= 1.0
        d /= len(y)  # gradient of the mean loss
        deltas = [d]
        for index in range(len(self.layers) - 1, 0, -1):
            back = self.layers[index].backward(deltas[0], self.now)
            deltas.insert(0, back * self.act_grad(outs[index]))
        for layer, bias, x_in, delta in zip(self.layers, self.biases, outs[:-1], deltas):
            layer.update(x_in, delta, lr, self.now)
            bias -= lr * delta.sum(axis=0)
        return loss

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        self.ledger.stage = "inference"
        predictions = np.argmax(self._forward(x)[-1], axis=1)
        self.ledger.measure(self.tally_core, "inferences", len(y))
        return float(np.mean(predictions == y))

    def run(self) -> TrainingResult:
        spec, result = self.spec, self.result
        step = self.engine.ticks(spec.step_time)
        batches = math.ceil(len(self.train_y) / spec.batch)
        bar = tqdm(total=spec.epochs * batches, unit="batch", desc=f"training ({spec.algorithm.kind})",
                   disable=not self.progress)
        try:
            for _ in range(spec.epochs):
                order = self.order_rng.permutation(len(self.train_y))
                losses = []
                for start in range(0, len(order), spec.batch):
                    chosen = order[start: start + spec.batch]
                    self.ledger.stage = "train"
                    losses.append(self._step(self.train_x[chosen], self.train_y[chosen]))
                    self.ledger.measure(self.tally_core, "training_samples", len(chosen))
                    result.samples_seen += len(chosen)
                    self.engine.run(self.engine.now + step)
                    bar.update()
                    self.after_batch()
                    if self.engine.stop_requested:
                        break
                if self.engine.stop_requested:
                    break
                result.epochs_done += 1
                self.decay *= spec.lr_decay
                accuracy = self.accuracy(self.test_x, self.test_y)
                result.curve.append((result.samples_seen, float(np.mean(losses)), accuracy))
                if self.writer is not None:
                    self.writer.on_learning_point(result.samples_seen, self.now, accuracy)
                bar.set_postfix(loss=f"{np.mean(losses):.3f}", test=f"{100 * accuracy:.1f}%")
        finally:
            bar.close()
        result.stopped = self.engine.stop_requested
        if not result.stopped:
            result.test_accuracy = result.curve[-1][2] if result.curve else self.accuracy(self.test_x, self.test_y)
            self._lifetime()
        self._write_results()
        return result

    def _lifetime(self) -> None:
        """Idle the chip for each lifetime point (from the end of training) and test again."""
        end = self.engine.now
        for idle in self.spec.lifetime:
            self.ledger.stage = "idle"
            self.engine.run(end + self.engine.ticks(idle))
            self.result.lifetime.append((idle, self.accuracy(self.test_x, self.test_y)))

    def _write_results(self) -> None:
        if self.writer is None:
            return
        result = self.result
        figures = {"test_accuracy": result.test_accuracy} if result.test_accuracy is not None else {}
        arrays = {"loss": np.array([c[1] for c in result.curve]),
                  "lifetime_seconds": np.array([t for t, _ in result.lifetime]),
                  "lifetime_accuracy": np.array([a for _, a in result.lifetime])}
        for index, layer in enumerate(self.layers):
            arrays[f"weights{index}"] = np.asarray(layer.weights(self.now), np.float32)
        self.writer.write_learning_results(result.samples_seen, arrays, **figures)
