"""Shared pieces of the description schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

#: A name used as a key in files, code, traces and reports alike.
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=64)]


class Spec(BaseModel):
    """A part of a description: unknown keys are errors; values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
