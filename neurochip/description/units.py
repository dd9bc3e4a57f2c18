"""Quantities with units, parsed once at the door into SI floats.

Description files write physical values as strings with units ("20 ms", "25 uS",
"0.7 pJ"); pint parses them. The registry works in decimal arithmetic so that
"25 uS" becomes exactly the float 2.5e-05, not 2.4999999999999998e-05.
Inside the package every quantity is a plain float in SI base units.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Annotated

import pint
from pydantic import BeforeValidator

#: Physical kinds a description can ask for, by pint dimensionality, with an example.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "time": ("[time]", "20 ms"),
    "frequency": ("1 / [time]", "200 Hz"),
    "conductance": ("[current] ** 2 * [time] ** 3 / [mass] / [length] ** 2", "25 uS"),
    "energy": ("[mass] * [length] ** 2 / [time] ** 2", "0.7 pJ"),
    "voltage": ("[mass] * [length] ** 2 / [time] ** 3 / [current]", "0.2 V"),
    "power": ("[mass] * [length] ** 2 / [time] ** 3", "1 uW"),
}


@cache
def registry() -> pint.UnitRegistry:
    """The one unit registry, built on first use (it takes most of a second)."""
    return pint.UnitRegistry(non_int_type=Decimal)


def parse_quantity(text: object, kind: str) -> float:
    """Return ``text`` (e.g. "20 ms") as a float in SI base units of ``kind``.

    Raises ``ValueError`` with a message that says what was expected; pydantic
    turns it into a located problem.
    """
    expected, example = DIMENSIONS[kind]
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError(f"expected a {kind} with a unit, such as '{example}'")
    if not isinstance(text, str):
        if text == 0:  # zero needs no unit
            return 0.0
        raise ValueError(f"missing unit: expected a {kind} such as '{example}', got {text!r}")
    ureg = registry()
    try:
        quantity = ureg.Quantity(text.strip())
    except Exception:  # pint raises several unrelated types for unparsable text
        raise ValueError(f"cannot read {text!r} as a {kind}; write it like '{example}'") from None
    if quantity.dimensionless:
        raise ValueError(f"missing unit: expected a {kind} such as '{example}', got {text!r}")
    if quantity.dimensionality != ureg.get_dimensionality(expected):
        raise ValueError(f"wrong unit in {text!r}: expected a {kind} such as '{example}'")
    return float(quantity.to_base_units().magnitude)


def _quantity_type(kind: str):
    return Annotated[float, BeforeValidator(lambda value: parse_quantity(value, kind))]


Time = _quantity_type("time")
Frequency = _quantity_type("frequency")
Conductance = _quantity_type("conductance")
Energy = _quantity_type("energy")
Voltage = _quantity_type("voltage")
Power = _quantity_type("power")
