"""Ideal devices: exact steps of ``dw`` (within +-w_max when given), no noise, no drift."""

from __future__ import annotations

import numpy as np

from ..description.devices import IdealDeviceSpec
from .base import Counter, ValueArray


class IdealArray(ValueArray):
    def __init__(self, shape, spec: IdealDeviceSpec, rng: np.random.Generator, count: Counter):
        super().__init__(shape, spec, rng, count)

        self.bound = spec.w_max if spec.w_max is not None else np.inf

    def _pulse(self, cells, signs, now):
        self.w[cells] = np.clip(self.w[cells] + signs * self.spec.dw, -self.bound, self.bound)

    def program(self, weights, now):
        super().program(np.clip(weights, -self.bound, self.bound), now)

    @property
    def nominal_step(self) -> float:
        return self.spec.dw

    def pulse_counts(self, cells, ups, downs, now):
        # clipping only at the end differs from pulse by pulse only when a bound is reached
        self.w[cells] = np.clip(self.w[cells] + self.spec.dw * (ups - downs), -self.bound, self.bound)
        self.count("up_pulse", int(ups.sum()))
        self.count("down_pulse", int(downs.sum()))
