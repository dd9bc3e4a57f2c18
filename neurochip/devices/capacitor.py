"""Capacitor cells with retention (Won et al., Adv. Sci. 2023: IGZO 6T1C, tau ~775 min).

The stored value leaks toward the cell's resting point,
    w(t) = w_rest + (w_prog - w_rest) exp(-(t - t_prog) / retention),
evaluated lazily at read time, so idle time costs nothing. A pulse charges or discharges
by dw (1 +- up_down) (1 + dw_min_std xi), within [w_min, w_max].
"""

from __future__ import annotations

import numpy as np

from ..description.devices import CapacitorSpec
from .base import Counter, ValueArray, spread


class CapacitorArray(ValueArray):
    def __init__(self, shape, spec: CapacitorSpec, rng: np.random.Generator, count: Counter):
        super().__init__(shape, spec, rng, count)
        n = self.w.size
        self.dw = spread(spec.dw_min, spec.dw_min_dtod, rng, n)
        self.w_rest = spec.w_rest + spec.w_rest_dtod * rng.standard_normal(n)
        self.w = self.w_rest.copy()
        self.t_prog = np.zeros(n)

    def value(self, now, idx=slice(None)):
        decay = np.exp(-(now - self.t_prog[idx]) / self.spec.retention)
        return self.w_rest[idx] + (self.w[idx] - self.w_rest[idx]) * decay

    def _pulse(self, cells, signs, now):
        step = self.dw[cells] * (1 + signs * self.spec.up_down)
        if self.spec.dw_min_std:
            step *= 1 + self.spec.dw_min_std * self.rng.standard_normal(cells.size)
        self.w[cells] = np.clip(self.value(now, cells) + signs * step, self.spec.w_min, self.spec.w_max)
        self.t_prog[cells] = now

    def program(self, weights, now):
        super().program(np.clip(weights, self.spec.w_min, self.spec.w_max), now)
        self.t_prog[:] = now

    @property
    def nominal_step(self) -> float:
        return self.spec.dw_min

    def resting_point(self) -> np.ndarray:
        return self.w_rest

    def pulse_counts(self, cells, ups, downs, now):
        """Charge steps add up: n_up (1 + up_down) - n_down (1 - up_down) steps, their cycle-to-cycle
        spreads adding in quadrature."""
        dw = self.dw[cells]
        up, down = dw * (1 + self.spec.up_down), dw * (1 - self.spec.up_down)
        step = up * ups - down * downs
        if self.spec.dw_min_std:
            spread = self.spec.dw_min_std * np.sqrt(ups * up ** 2 + downs * down ** 2)
            step = step + spread * self.rng.standard_normal(cells.size)
        self.w[cells] = np.clip(self.value(now, cells) + step, self.spec.w_min, self.spec.w_max)
        self.t_prog[cells] = now
        self.count("up_pulse", int(ups.sum()))
        self.count("down_pulse", int(downs.sum()))
