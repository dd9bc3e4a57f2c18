"""The ``energy:`` block of a chip description: which price table, and what to change in it.

    energy: {preset: pcm-90nm, overrides: {set_pulse: 0.5 pJ}, static_power: 20 uW}

Presets and the sources of their figures: ``neurochip.energy.presets``.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from ..energy.presets import PRESETS
from ..ledger import KINDS
from .base import Spec
from .units import Energy, Power


class EnergySpec(Spec):
    preset: str = Field("pcm-90nm", description="Price table: " + ", ".join(PRESETS) + ".")
    overrides: dict[str, Energy] = Field({}, description="Energy per event (e.g. '0.7 pJ') by ledger kind.")
    static_power: Power | None = Field(None, ge=0, description="Static power per core (W); default: the preset's.")

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, name: str) -> str:
        if name not in PRESETS:
            raise ValueError(f"unknown energy preset {name!r}; expected one of: {', '.join(PRESETS)}")
        return name

    @field_validator("overrides")
    @classmethod
    def _known_kinds(cls, overrides: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(overrides) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown event kind {', '.join(map(repr, unknown))}; expected some of: "
                             f"{', '.join(KINDS)}")
        negative = sorted(kind for kind, joules in overrides.items() if joules < 0)
        if negative:
            raise ValueError(f"energy per event must be >= 0 (got a negative value for {', '.join(negative)})")
        return overrides
