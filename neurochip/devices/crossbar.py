"""A crossbar of synapse cells, read event-driven in either direction.

Only the lines whose neurons spiked are read: a forward read drives the given rows
and sums their cells onto the columns; a backward read drives the given columns and
sums onto the rows. Both directions read the same cells, as on the 6T-2R RBM chip.
The weights are ideal numbers here; device models replace them with G+ - G- pairs.
"""

from __future__ import annotations

import numpy as np


class Crossbar:
    def __init__(self, weights: np.ndarray):
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self.rows, self.cols = self.weights.shape

    def read_forward(self, rows: np.ndarray) -> np.ndarray:
        """Column sums over the driven ``rows`` (a row driven twice counts twice)."""
        return self.weights[rows].sum(axis=0)

    def read_backward(self, cols: np.ndarray) -> np.ndarray:
        """Row sums over the driven ``cols``."""
        return self.weights[:, cols].sum(axis=1)
