"""The STDP-style update controller of the 6T-2R RBM chip (event-driven contrastive divergence).

When a column (hidden) neuron spikes, every synapse whose row line was active within
``window`` before (or at the same tick) gets one update pulse; with ``symmetric`` a row
activation also pairs with the column spikes of the window before it. The pulse's sign is
the phase's: +1 in the data phase (a partial SET on G+), -1 in the model phase (a SET on
G-), 0 in transitions (no pulse), as in Neftci et al. 2014 and the IEDM 2019 chip, where
a rectangular causal window of 4 ms pairs pre- with post-synaptic spikes. A row gate
(``gate_rows``) passes each pulse bound for a row with that row's probability, as a
comparator against a random word would: the learning rate of a group of rows (an RBM's
label rows) scaled without a smaller SET step, which PCM cannot give.
Times are integer ticks; everything is vectorised over the lines of a tick.
"""

from __future__ import annotations

import numpy as np

from ..description.chip import ControllerSpec

_NEVER = np.iinfo(np.int64).min // 2


class STDPController:
    def __init__(self, spec: ControllerSpec, rows: int, cols: int, tick: float):
        self.spec = spec
        self.cols = cols
        self.window = round(spec.window / tick)
        self.row_seen = np.full(rows, _NEVER, dtype=np.int64)  # last activation of each row line
        self.col_seen = np.full(cols, _NEVER, dtype=np.int64)  # last spike of each column neuron
        #: +1 data phase, -1 model phase, 0 no learning (set by the learning mode)
        self.sign = 0
        self._gate: np.ndarray | None = None
        self._gate_rng: np.random.Generator | None = None

    def gate_rows(self, probability: np.ndarray | None, rng: np.random.Generator | None = None) -> None:
        """Pass a pulse bound for row r with ``probability[r]`` (one per row), drawing from ``rng``;
        None: every pulse passes."""
        self._gate = None if probability is None else np.asarray(probability, float)
        self._gate_rng = rng

    def forget(self) -> None:
        """Clear the spike history (at a phase switch, so pairs never straddle two phases)."""
        self.row_seen[:] = _NEVER
        self.col_seen[:] = _NEVER

    def pairs(self, now: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Note this tick's row activations and column spikes (distinct ``cols``); return the flat cells
        to pulse (distinct)."""
        self.row_seen[rows] = now
        cells = np.zeros(0, dtype=np.int64)
        if cols.size:
            recent_rows = np.flatnonzero(now - self.row_seen <= self.window)
            cells = (recent_rows[:, None] * self.cols + cols[None, :]).ravel()
        if self.spec.symmetric and rows.size:
            earlier = now - self.col_seen <= self.window
            earlier[cols] = False  # same-tick pairs are already counted above
            recent_cols = np.flatnonzero(earlier)
            cells = np.concatenate([cells, (np.unique(rows)[:, None] * self.cols + recent_cols[None, :]).ravel()])
        self.col_seen[cols] = now
        return cells

    def update(self, now: int, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cells, signs) of the pulses this tick calls for; nothing outside the learning phases,
        where the tick's activity is only noted (``rows`` may repeat; ``cols`` must be distinct)."""
        if self.sign == 0:
            self.row_seen[rows] = now
            self.col_seen[cols] = now
            return np.zeros(0, np.int64), np.zeros(0)
        cells = self.pairs(now, rows, cols)
        if cells.size == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        if self._gate is not None:
            cells = cells[self._gate_rng.random(cells.size) < self._gate[cells // self.cols]]
        return cells, np.full(cells.size, float(self.sign))
