"""A crossbar of synapse cells, read event-driven in either direction.

Only the lines whose neurons spiked are read: a forward read drives the given rows
and sums their cells onto the columns; a backward read drives the given columns and
sums onto the rows. Both directions read the same cells, as on the 6T-2R RBM chip.
The cells are a device array (ideal, PCM pair, soft-bounds, capacitor); every read
sees that array's read noise and drift at the time of the read.
"""

from __future__ import annotations

import numpy as np

from ..description.devices import (CapacitorSpec, IdealDeviceSpec, PCMPairSpec, ReadSpec,
                                   SoftBoundsSpec)
from .base import Counter, block_cells
from .capacitor import CapacitorArray
from .ideal import IdealArray
from .pcm import PCMPairArray
from .softbounds import SoftBoundsArray

ARRAYS = {IdealDeviceSpec: IdealArray, PCMPairSpec: PCMPairArray, SoftBoundsSpec: SoftBoundsArray,
          CapacitorSpec: CapacitorArray}


def device_array(spec, shape: tuple[int, int], rng: np.random.Generator, count: Counter):
    """The device array a device description asks for."""
    return ARRAYS[type(spec)](shape, spec, rng, count)


class Crossbar:
    def __init__(self, devices, read: ReadSpec | None = None, read_noise=None):
        self.devices = devices
        self.read = read or ReadSpec()
        #: optional multiplicative noise on every cell read (1/f noise used as the neurons' randomness)
        self.read_noise = read_noise
        self.rows, self.cols = devices.shape
        #: sum of the conductances (S) seen by the last read; read energy = V_read^2 t_read x this
        self.last_read_conductance = 0.0

    def _block(self, now: float, rows=None, cols=None) -> np.ndarray:
        weights, self.last_read_conductance = self.devices.read(now, rows=rows, cols=cols)
        if self.read_noise is not None:
            cells, shape = block_cells(self.devices.shape, rows, cols)
            weights = weights * self.read_noise.factor(now, cells).reshape(shape)
        return weights

    def read_forward(self, rows: np.ndarray, now: float) -> np.ndarray:
        """Column sums over the driven ``rows`` (a row driven twice counts twice) at ``now`` (s)."""
        return self._block(now, rows=rows).sum(axis=0)

    def read_backward(self, cols: np.ndarray, now: float) -> np.ndarray:
        """Row sums over the driven ``cols`` at ``now`` (s)."""
        return self._block(now, cols=cols).sum(axis=1)

    def pulse(self, cells: np.ndarray, signs: np.ndarray, now: float) -> None:
        """One update pulse per (distinct) flat cell index: potentiate where sign > 0, depress where < 0."""
        self.devices.pulse(np.asarray(cells), np.asarray(signs), now)

    def program(self, weights: np.ndarray, now: float) -> None:
        self.devices.program(np.asarray(weights, float).reshape(self.rows, self.cols), now)

    def weights(self, now: float, noisy: bool = False) -> np.ndarray:
        """The whole array's weights at ``now``, as stored (default) or as one read sees them."""
        return self.devices.weights(now, noisy=noisy)
