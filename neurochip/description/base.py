"""Shared pieces of the description schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

#: A name used as a key in files, code, traces and reports alike.
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=64)]


class Spec(BaseModel):
    """A part of a description: unknown keys are errors; values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def below(field: str, limit: str, unit: str = ""):
    """A validator that ``field`` is strictly below the (earlier declared) field ``limit``."""

    def check(cls, value: float, info: ValidationInfo) -> float:
        bound = info.data.get(limit)
        if bound is not None and value >= bound:
            raise ValueError(f"must be below {limit} ({bound:g}{unit}), got {value:g}{unit}")
        return value

    return field_validator(field)(classmethod(check))
