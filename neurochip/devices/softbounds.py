"""Soft-bounds asymmetric devices (Gokmen & Vlasov, Front. Neurosci. 2016).

Per device: dw = dw_min (1 + dw_min_dtod xi), bounds w_max (1 + w_max_dtod xi) and
w_min (1 + w_max_dtod xi'), imbalance r = up_down + up_down_dtod xi''. A pulse moves w by
    up:   +dw (1 + r) (1 - w / w_max)        down: -dw (1 - r) (1 - w / w_min)
times (1 + dw_min_std xi) per pulse. Steps vanish at the bounds, so w never leaves
[w_min, w_max]; equal numbers of up and down pulses pull w to the symmetry point where
both steps are equal:  w* = (up - down) / (up / w_max - down / w_min),  up = dw (1 + r),
down = dw (1 - r).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..compiled_random import new_state, normal
from ..description.devices import SoftBoundsSpec
from .base import Counter, ValueArray, spread


class SoftBoundsArray(ValueArray):
    def __init__(self, shape, spec: SoftBoundsSpec, rng: np.random.Generator, count: Counter):
        super().__init__(shape, spec, rng, count)
        n = self.w.size
        dw = spread(spec.dw_min, spec.dw_min_dtod, rng, n)
        imbalance = np.clip(spec.up_down + spec.up_down_dtod * rng.standard_normal(n), -0.99, 0.99)
        self.up, self.down = dw * (1 + imbalance), dw * (1 - imbalance)
        self.w_max = spread(spec.w_max, spec.w_max_dtod, rng, n, floor=0.05)
        self.w_min = spread(spec.w_min, spec.w_max_dtod, rng, n, floor=0.05)
        self.state = new_state(rng)  # the compiled count laws' generator (cycle-to-cycle spread)
        # one pulse maps w to a_up w + up or a_down w - down (pulse_counts)
        self.a_up, self.a_down = 1 - self.up / self.w_max, 1 + self.down / self.w_min

    def symmetry_point(self) -> np.ndarray:
        """w* per device; a device whose step the device-to-device spread cut to zero (a dead cell,
        about 4 in 10,000 at the default 30 % spread) cannot move, so zero-shifting's alternating
        pulses leave it where it is: its w."""
        slope = self.up / self.w_max - self.down / self.w_min
        stuck = slope == 0
        return np.where(stuck, self.w, (self.up - self.down) / np.where(stuck, 1.0, slope))

    def _pulse(self, cells, signs, now):
        w = self.w[cells]
        step = np.where(signs > 0, self.up[cells] * (1 - w / self.w_max[cells]),
                        -self.down[cells] * (1 - w / self.w_min[cells]))
        if self.spec.dw_min_std:
            step *= 1 + self.spec.dw_min_std * self.rng.standard_normal(cells.size)
        self.w[cells] = np.clip(w + step, self.w_min[cells], self.w_max[cells])

    def program(self, weights, now):
        super().program(weights, now)
        np.clip(self.w, self.w_min, self.w_max, out=self.w)

    @property
    def nominal_step(self) -> float:
        return self.spec.dw_min

    def pulse_counts(self, cells, ups, downs, now):
        """n_up up and n_down down pulses in random order, applied as their mean-field map.

        An up pulse maps w to a_u w + up (a_u = 1 - up / w_max), a down pulse to
        a_d w - down (a_d = 1 + down / w_min). Each of the n = n_up + n_down pulses is up
        with probability p = n_up / n, so one pulse maps w on average to alpha w + beta with
        alpha = p a_u + (1 - p) a_d, beta = p up - (1 - p) down, and n of them to
        alpha^n w + beta (1 - alpha^n) / (1 - alpha): exact for pulses of one sign, and for
        mixed ones the expectation over orders to first order in the step, with the symmetry
        point as its fixed point for equal counts (a fixed order, say all pairs up-then-down,
        would shift that point by a term of order up x down). The cycle-to-cycle spread of the
        steps is added once, in quadrature, at the starting steps (a normal per cell from the
        array's compiled generator, ``state``).
        """
        self._counted(*_apply_counts(self.w, self.up, self.down, self.a_up, self.a_down, self.w_max, self.w_min, cells,
                                     ups, downs, self.spec.dw_min_std, self.state))

    def pulse_block(self, ups, downs, now):
        """``pulse_counts`` on the block at the array's top left whose counts ``ups`` and ``downs``
        hold (2-D), in one compiled pass; the same numbers as through its touched cells."""
        self._counted(*_apply_block(self.w, self.up, self.down, self.a_up, self.a_down, self.w_max, self.w_min,
                                    self.shape[1], ups, downs, self.spec.dw_min_std, self.state))

    def _counted(self, total_up: int, total_down: int) -> None:
        if total_up or total_down:  # (a block none of whose cells got a pulse counts nothing)
            self.count("up_pulse", total_up)
            self.count("down_pulse", total_down)


#: pulse counts below 2 ** _FEW_BITS per cell take the vectorised path (a mini-batch of 16 at
#: BL 31 gives at most 496); larger ones a scalar loop through every bit of an int64
_FEW_BITS, _ALL_BITS = 16, 63


@numba.njit(cache=True, inline="always")
def _power(base, exponent, bits):
    """base ** exponent for an integer 0 <= exponent < 2 ** bits, by squaring: ``bits`` rounds
    of a product and a select, with no branch, so that where ``bits`` is a constant a loop
    over the cells of a row vectorises (a round past the exponent's top bit multiplies by
    1.0: no change)."""
    result = 1.0
    for _ in range(bits):
        result *= base if exponent & 1 else 1.0
        base *= base
        exponent >>= 1
    return result


@numba.njit(cache=True, inline="always")
def _mean_field(w, up, down, a_up, a_down, w_max, w_min, n_up, n_down, std, z, bits):
    """One device's weight after the mean-field map of ``SoftBoundsArray.pulse_counts`` (scalars
    only: arrays passed between compiled functions cost a reference count each). ``a_up`` and
    ``a_down`` are the device's slopes 1 - up / w_max and 1 + down / w_min; ``z`` is the cell's
    standard normal for the cycle-to-cycle spread ``std``; n_up + n_down < 2 ** ``bits``.
    Written without branches (selects), so that it vectorises over a row."""
    n = n_up + n_down
    p = n_up / max(n, 1)
    alpha = p * a_up + (1.0 - p) * a_down
    beta = p * up - (1.0 - p) * down
    alpha_n = _power(alpha, n, bits)
    moves = abs(1.0 - alpha) > 1e-12  # a device with zero steps (a dead device) stays put
    geometric = (1.0 - alpha_n) / (1.0 - alpha) if moves else float(n)  # sum of alpha^i, i < n
    new = alpha_n * w + beta * geometric
    # the starting steps up (1 - w / w_max) and down (1 - w / w_min), without a division
    up_step, down_step = up - w * (1.0 - a_up), down + w * (1.0 - a_down)
    new += std * math.sqrt(n_up * up_step ** 2 + n_down * down_step ** 2) * z
    return min(max(new, w_min), w_max)


@numba.njit(cache=True)
def _apply_counts(w, up, down, a_up, a_down, w_max, w_min, cells, ups, downs, std, state):
    """``_mean_field`` on each of ``cells``, in place, a normal each from ``state`` where ``std``;
    returns the numbers of up and down pulses."""
    s, z = state[0], 0.0
    for k in range(cells.size):
        c = cells[k]
        if std:
            s, z = normal(s)
        bits = _FEW_BITS if ups[k] + downs[k] < 1 << _FEW_BITS else _ALL_BITS
        w[c] = _mean_field(w[c], up[c], down[c], a_up[c], a_down[c], w_max[c], w_min[c], ups[k], downs[k], std, z,
                           bits)
    state[0] = s
    return ups.sum(), downs.sum()


@numba.njit(cache=True, inline="always")
def _row(w, up, down, a_up, a_down, w_max, w_min, ups, downs, std, z, bits):
    """``_mean_field`` on every cell of one row that got a pulse (1-D views, one cell per index)."""
    for j in range(w.size):
        moved = _mean_field(w[j], up[j], down[j], a_up[j], a_down[j], w_max[j], w_min[j], ups[j], downs[j], std,
                            z[j], bits)
        w[j] = moved if ups[j] + downs[j] > 0 else w[j]


@numba.njit(cache=True)
def _apply_block(w, up, down, a_up, a_down, w_max, w_min, cols, ups, downs, std, state):
    """``_mean_field`` on each cell with a pulse in the count blocks (laid from the top left of a
    ``cols``-wide array, row by row, a normal each from ``state`` where ``std``), in place;
    returns the pulse totals. Row by row: first the row's normals in cell order (the order
    ``_apply_counts`` draws them), then the law on the whole row as one vectorised loop, each
    untouched cell left as it was."""
    s = state[0]
    total_up, total_down = 0, 0
    z = np.zeros(ups.shape[1])
    for i in range(ups.shape[0]):
        largest = 0
        for j in range(ups.shape[1]):
            if ups[i, j] > 0 or downs[i, j] > 0:
                largest = max(largest, ups[i, j] + downs[i, j])
                if std:
                    s, z[j] = normal(s)
                total_up += ups[i, j]
                total_down += downs[i, j]
        a, b = i * cols, i * cols + ups.shape[1]
        if 0 < largest < 1 << _FEW_BITS:  # (two calls: each is inlined with its bits a constant)
            _row(w[a:b], up[a:b], down[a:b], a_up[a:b], a_down[a:b], w_max[a:b], w_min[a:b], ups[i], downs[i], std, z,
                 _FEW_BITS)
        elif largest:
            _row(w[a:b], up[a:b], down[a:b], a_up[a:b], a_down[a:b], w_max[a:b], w_min[a:b], ups[i], downs[i], std, z,
                 _ALL_BITS)
    state[0] = s
    return total_up, total_down
