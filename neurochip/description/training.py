"""Schema of a scenario's ``training:`` block: an MLP trained on crossbar cores by rate-coded backprop.

Forward and backward passes are analog reads of the cores' arrays (DAC, read noise, ADC,
output bounds); updates are stochastic pulse trains (Gokmen & Vlasov 2016); the
algorithm (floating-point reference, analog SGD, Tiki-Taka v1 / v2, zero-shifting, the
resting-point variant) is chosen here. Parameters follow DESIGN.md section 6.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Name, Spec
from .learning import DataSpec
from .units import Time

ALGORITHMS = ("float", "sgd", "zero-shift", "tiki-taka", "ttv2", "resting-point")
#: arrays each algorithm needs per layer (Tiki-Taka: A and C)
ARRAYS = {"float": 0, "sgd": 1, "zero-shift": 1, "tiki-taka": 2, "ttv2": 2, "resting-point": 2}
#: device model each algorithm needs, where it needs one
NEEDS_DEVICE = {"zero-shift": "softbounds", "resting-point": "capacitor"}


class IOSpec(Spec):
    """Periphery of an analog matrix-vector product (aihwkit-like defaults)."""

    dac_bits: int | None = Field(7, ge=1, le=16, description="Input resolution (None: exact).")
    adc_bits: int | None = Field(9, ge=1, le=16, description="Output resolution (None: exact).")
    in_bound: float = Field(1.0, gt=0, description="Inputs are clipped to +-in_bound, scaled per vector to it.")
    out_bound: float = Field(12.0, gt=0, description="Outputs are clipped to +-out_bound (weight x input units).")
    out_noise: float = Field(0.06, ge=0, description="Gaussian read noise on every output, std (output units).")


class PulseUpdateSpec(Spec):
    """Stochastic pulse-coincidence update: BL slots, a line fires in a slot with probability
    proportional to its value; each coincidence is one device pulse."""

    bl: int = Field(31, ge=1, le=1000, description="Pulse-train length (slots per update).")
    update_management: bool = Field(True, description="Balance the x and d pulse probabilities (Gokmen 2017).")


class AlgorithmSpec(Spec):
    kind: Literal[ALGORITHMS] = Field(description="float | sgd | zero-shift | tiki-taka | ttv2 | resting-point.")
    lr: float = Field(0.5, gt=0, description="Learning rate of the gradient step (float and pulsed).")
    transfer_every: int = Field(2, ge=1, description="Tiki-Taka: mini-batches between two transfers.")
    transfer_lr: float = Field(1.0, gt=0, description="Tiki-Taka: rate of a transfer of A's column into C.")
    columns_per_transfer: int = Field(1, ge=1, description="Tiki-Taka: columns of A read at each transfer.")
    gamma: float = Field(0.0, ge=0, description="Tiki-Taka: W = gamma A + C.")
    buffer_threshold: float = Field(1.0, gt=0, description="TTv2: |H| (in C pulses) that fires a pulse into C.")


class TrainingSpec(Spec):
    mode: Literal["mlp"]
    data: DataSpec
    layers: list[int] = Field(min_length=2, description="Units per layer, inputs first (e.g. [64, 32, 10]).")
    cores: list[Name] | None = Field(None, description="Cores to map the arrays on, in order (default: all).")
    activation: Literal["tanh", "sigmoid", "relu"] = "tanh"
    epochs: int = Field(30, ge=0, le=10_000)
    batch: int = Field(16, ge=1)
    lr_decay: float = Field(1.0, gt=0, le=1, description="Learning rates (gradient and transfer) are multiplied "
                                                         "by this after every epoch.")
    step_time: Time = Field(1e-3, gt=0, description="Simulated time of one mini-batch (s): drift and "
                                                     "retention follow it.")
    io: IOSpec = IOSpec()
    update: PulseUpdateSpec = PulseUpdateSpec()
    algorithm: AlgorithmSpec
    lifetime: list[Time] = Field([], description="After training, accuracy again after these idle times (s), "
                                                 "counted from the end of training, in increasing order.")

    @field_validator("lifetime")
    @classmethod
    def _increasing_idle_times(cls, lifetime: list[float]) -> list[float]:
        # the chip idles on from one point to the next: a shorter time after a longer one cannot be honoured
        if any(t < 0 for t in lifetime) or any(b <= a for a, b in zip(lifetime, lifetime[1:])):
            raise ValueError(f"expected idle times of 0 s or more in increasing order, got "
                             f"[{', '.join(f'{t:g} s' for t in lifetime)}]")
        return lifetime

    @model_validator(mode="after")
    def _positive_layers(self):
        if any(units < 1 for units in self.layers):
            raise ValueError("every layer needs at least one unit")
        return self

    def cores_needed(self, rows: int, cols: int) -> int:
        """Cores of ``rows x cols`` the network needs: tiles per array x arrays per layer."""
        tiles = sum(math.ceil(i / rows) * math.ceil(o / cols) for i, o in zip(self.layers[:-1], self.layers[1:]))
        return ARRAYS[self.algorithm.kind] * tiles
