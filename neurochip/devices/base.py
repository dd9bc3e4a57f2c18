"""What every device array offers the crossbar, and the single-valued arrays' common part.

A device array holds rows x cols synapse cells (flat index = row * cols + col) and offers:
``weights(now, rows, cols, noisy)`` for reads (``read`` adds the conductance a read
pulse sees, in S, which prices it), ``pulse(cells, signs, now)`` for updates,
``program(weights, now)`` to write targets, and ``conductances(now, cells)`` for traces
(named by ``quantities``). ``now`` is simulated time in seconds; events are counted
through a ``count(kind, n)`` callback so that physics needs no ledger.
"""

from __future__ import annotations

from typing import Callable

import numba
import numpy as np

Counter = Callable[[str, int], None]


def spread(mean: float, relative_std: float, rng: np.random.Generator, size: int, floor: float = 0.0) -> np.ndarray:
    """Device-to-device values: mean (1 + relative_std xi), xi ~ N(0, 1), with the factor kept >= ``floor``."""
    return mean * np.clip(1 + relative_std * rng.standard_normal(size), floor, None)


def block_cells(shape: tuple[int, int], rows=None, cols=None) -> tuple[np.ndarray, tuple[int, int]]:
    """Flat indices of the block rows x cols (all when None) and the block's shape."""
    rows = np.arange(shape[0]) if rows is None else np.asarray(rows)
    cols = np.arange(shape[1]) if cols is None else np.asarray(cols)
    return (rows[:, None] * shape[1] + cols[None, :]).ravel(), (rows.size, cols.size)


class ValueArray:
    """A device array whose state is one number per cell, ``w`` (subclasses add the physics)."""

    quantities = ("w",)

    def __init__(self, shape: tuple[int, int], spec, rng: np.random.Generator, count: Counter):
        self.shape = shape
        self.spec = spec
        self.rng = rng
        self.count = count
        self.w = np.zeros(shape[0] * shape[1])
        self._grid = None  # grid's view of w

    def value(self, now: float, idx=slice(None)) -> np.ndarray:
        return self.w[idx]

    def grid(self, now: float) -> np.ndarray:
        """Every cell as a read at ``now`` sees it, rows x cols: where reads see the stored values
        (``value`` not overridden), a view of ``w`` kept while ``w`` is the same array."""
        if type(self).value is not ValueArray.value:
            return self.value(now).reshape(self.shape)
        view = self._grid
        if view is None or view.base is not self.w:
            view = self._grid = self.w.reshape(self.shape)
        return view

    def weights(self, now: float, rows=None, cols=None, noisy: bool = True) -> np.ndarray:
        if type(self).value is ValueArray.value and (rows is None or cols is None):  # whole lines: no cell list
            grid = self.grid(now)
            if rows is not None:
                return grid[np.asarray(rows)]
            return grid[:, np.asarray(cols)] if cols is not None else grid.copy()
        idx, shape = block_cells(self.shape, rows, cols)
        return self.value(now, idx).reshape(shape)

    def read(self, now: float, rows=None, cols=None, noisy: bool = True) -> tuple[np.ndarray, float]:
        """``weights(...)`` and the conductance read (S): none, as these cells have no conductance."""
        return self.weights(now, rows, cols, noisy), 0.0

    def conductances(self, now: float, cells: np.ndarray) -> dict[str, np.ndarray]:
        return {"w": self.value(now, cells)}

    def pulse(self, cells: np.ndarray, signs: np.ndarray, now: float) -> None:
        self._pulse(cells, np.sign(signs), now)
        self.count("up_pulse", int(np.count_nonzero(signs > 0)))
        self.count("down_pulse", int(np.count_nonzero(signs < 0)))

    def _pulse(self, cells: np.ndarray, signs: np.ndarray, now: float) -> None:
        raise NotImplementedError

    def pulse_counts(self, cells: np.ndarray, ups: np.ndarray, downs: np.ndarray, now: float) -> None:
        """``ups[k]`` potentiating and ``downs[k]`` depressing pulses on flat cell ``cells[k]``,
        applied up, down, up, down... (the order a pulse-coincidence update interleaves them)."""
        pulse_counts_one_by_one(self, cells, ups, downs, now)

    def pulse_block(self, ups: np.ndarray, downs: np.ndarray, now: float) -> None:
        """``pulse_counts`` for a block of cells at the array's top left, its counts as 2-D arrays."""
        pulse_block_by_cells(self, ups, downs, now)

    def program(self, weights: np.ndarray, now: float) -> None:
        self.w = np.ravel(weights).astype(float).copy()
        self.count("program", self.w.size)


@numba.njit(cache=True)
def touched(ups, downs, cols):
    """(cells, ups, downs) of the cells with a pulse in the count blocks ``ups`` and ``downs``,
    laid from the top-left corner of a ``cols``-wide array, in row-major order."""
    cells = np.empty(ups.size, np.int64)
    block_ups, block_downs = np.empty(ups.size, np.int64), np.empty(ups.size, np.int64)
    n = 0
    for i in range(ups.shape[0]):
        for j in range(ups.shape[1]):
            if ups[i, j] > 0 or downs[i, j] > 0:
                cells[n] = i * cols + j
                block_ups[n], block_downs[n] = ups[i, j], downs[i, j]
                n += 1
    return cells[:n], block_ups[:n], block_downs[:n]


def pulse_block_by_cells(array, ups: np.ndarray, downs: np.ndarray, now: float) -> None:
    """``array.pulse_counts`` on the cells with a pulse in the count blocks ``ups`` and ``downs``
    (2-D, laid from the array's top-left corner)."""
    cells, block_ups, block_downs = touched(ups, downs, array.shape[1])
    if cells.size:
        array.pulse_counts(cells, block_ups, block_downs, now)


def pulse_counts_one_by_one(array, cells: np.ndarray, ups: np.ndarray, downs: np.ndarray, now: float) -> None:
    """Apply pulse counts as single pulses, alternating up and down, through ``array.pulse``:
    one vectorised call per pulse slot (for device laws with no closed form over n pulses)."""
    for k in range(int(max(ups.max(initial=0), downs.max(initial=0)))):
        for counts, sign in ((ups, 1.0), (downs, -1.0)):
            chosen = cells[counts > k]
            if chosen.size:
                array.pulse(chosen, np.full(chosen.size, sign), now)
