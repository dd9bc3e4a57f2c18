"""How one layer's weights live on the arrays and learn: the training algorithms.

* ``float``: floating-point weights and plain SGD, no arrays (the reference).
* ``sgd``: W on one array; the gradient goes in as pulses. On soft-bounds devices every
  weight drifts toward its device's symmetry point (equal up and down pulse counts
  settle there), which is what breaks analog SGD on asymmetric devices.
* ``zero-shift`` (Kim et al. 2019): as ``sgd``, read against a reference equal to each
  device's symmetry point, so that the point the weights drift to is W = 0.
* ``tiki-taka`` (Gokmen & Haensch 2020; Algorithm 1 of Gokmen, Front. AI 2021):
  W = gamma A + C. Gradient pulses go to A; every ``transfer_every`` mini-batches
  ``columns_per_transfer`` input lines of A are read (a one-hot input, in turn) and
  added into C by pulses at ``transfer_lr``. A hovers near its symmetry point and acts
  as a low-pass filter of the gradient; C moves only by transfers.
* ``ttv2`` (Gokmen 2021): the read rows of A accumulate in a digital buffer H (in units
  of C's pulse); C gets one pulse per whole ``buffer_threshold`` in H, which keeps
  the remainder.
* ``resting-point`` (Won et al., Adv. Sci. 2023): Tiki-Taka for capacitor cells whose A
  decays toward a resting point: A is read against its devices' resting points, so the
  decay pulls A to zero instead of biasing every transfer.

References (the symmetry or resting points) are read as an exact digital subtraction.
"""

from __future__ import annotations

import numpy as np

from ..description.training import AlgorithmSpec, PulseUpdateSpec
from .matrix import AnalogMatrix

class FloatWeights:
    """The floating-point reference: exact products, exact updates."""

    def __init__(self, initial: np.ndarray):
        self.w = initial.copy()

    def forward(self, x, now):
        return x @ self.w

    def backward(self, d, now):
        return d @ self.w.T

    def update(self, x, d, lr, now):
        self.w -= lr * x.T @ d

    def weights(self, now):
        return self.w


class AnalogWeights:
    """W = M - R on one array M with a fixed reference R (zero, or the symmetry points)."""

    def __init__(self, matrix: AnalogMatrix, initial: np.ndarray, reference: np.ndarray, update: PulseUpdateSpec,
                 now: float):
        self.m, self.reference, self.update_spec = matrix, reference, update
        matrix.program(initial + reference, now)

    def forward(self, x, now):
        return self.m.forward(x, now) - x @ self.reference

    def backward(self, d, now):
        return self.m.backward(d, now) - d @ self.reference.T

    def update(self, x, d, lr, now):
        self.m.pulse_update(x, d, lr, now, self.update_spec)

    def weights(self, now):
        return self.m.weights(now) - self.reference


class TikiTakaWeights:
    """W = gamma (A - R_A) + C, gradient into A, rows of A transferred into C (v1) or through H (v2)."""

    def __init__(self, a: AnalogMatrix, c: AnalogMatrix, initial: np.ndarray, reference: np.ndarray,
                 spec: AlgorithmSpec, update: PulseUpdateSpec, now: float):
        self.a, self.c, self.reference, self.spec, self.update_spec = a, c, reference, spec, update
        a.program(reference, now)
        c.program(initial, now)
        self.buffer = np.zeros(a.shape) if spec.kind == "ttv2" else None
        self.updates = 0
        self.next_row = 0
        self._transfers = {}

    def forward(self, x, now):
        out = self.c.forward(x, now)
        if self.spec.gamma:
            out = out + self.spec.gamma * (self.a.forward(x, now) - x @ self.reference)
        return out

    def backward(self, d, now):
        out = self.c.backward(d, now)
        if self.spec.gamma:
            out = out + self.spec.gamma * (self.a.backward(d, now) - d @ self.reference.T)
        return out

    def update(self, x, d, lr, now):
        self.a.pulse_update(x, d, lr, now, self.update_spec)
        self.updates += 1
        if self.updates % self.spec.transfer_every == 0:
            self.transfer(now, decay=lr / self.spec.lr)  # transfers follow the run's learning-rate decay

    def transfer(self, now, decay: float = 1.0):
        """Read the next input lines of A (one-hot inputs) and move what they hold into C at
        transfer_lr x ``decay`` (ledger stage: transfer)."""
        ledger = self.a.ledger
        previous, ledger.stage = ledger.stage, "transfer"
        try:
            self._transfer(now, self.spec.transfer_lr * decay)
        finally:
            ledger.stage = previous

    def _transfer(self, now, rate: float):
        rows, one_hot, reference, self.next_row = self._transfer_inputs(self.next_row)
        if self.buffer is None:
            self.c.transfer_from(self.a, rows, one_hot, reference, rate, now, self.update_spec)
            return
        read = self.a.forward(one_hot, now, kind="transfer") - reference
        self.buffer[rows] += rate * read / self.c.step
        pulses = np.trunc(self.buffer[rows] / self.spec.buffer_threshold)
        self.buffer[rows] -= pulses * self.spec.buffer_threshold
        ups = np.zeros(self.c.shape, np.int64)
        downs = np.zeros(self.c.shape, np.int64)
        ups[rows] = np.maximum(pulses, 0)
        downs[rows] = np.maximum(-pulses, 0)
        self.c.apply_counts(ups, downs, now)

    def _transfer_inputs(self, first: int):
        """(rows, one-hot inputs, their references, the next transfer's first line) of the transfer
        that starts at input line ``first`` (built once per starting line: they repeat every pass
        over A's lines)."""
        if first not in self._transfers:
            inputs = self.a.shape[0]
            rows = (first + np.arange(self.spec.columns_per_transfer)) % inputs
            one_hot = np.zeros((rows.size, inputs))
            one_hot[np.arange(rows.size), rows] = 1.0
            self._transfers[first] = rows, one_hot, self.reference[rows], int(rows[-1] + 1) % inputs
        return self._transfers[first]

    def weights(self, now):
        if self.spec.gamma:
            return self.spec.gamma * (self.a.weights(now) - self.reference) + self.c.weights(now)
        return self.c.weights(now)


def layer_weights(spec: AlgorithmSpec, matrices: list[AnalogMatrix], initial: np.ndarray,
                  update: PulseUpdateSpec, now: float):
    """The weights object of one layer for ``spec.kind`` on ``matrices`` (as many as ARRAYS says)."""
    kind = spec.kind
    if kind == "float":
        return FloatWeights(initial)
    zeros = np.zeros(initial.shape)
    if kind in ("sgd", "zero-shift"):
        reference = matrices[0].device_values("symmetry_point") if kind == "zero-shift" else zeros
        return AnalogWeights(matrices[0], initial, reference, update, now)
    if kind == "resting-point":
        reference = matrices[0].device_values("resting_point")
    elif matrices[0].has("symmetry_point"):  # A zero-shifted, as Tiki-Taka assumes (Gokmen & Haensch 2020)
        reference = matrices[0].device_values("symmetry_point")
    else:
        reference = zeros
    return TikiTakaWeights(matrices[0], matrices[1], initial, reference, spec, update, now)
