"""The periphery of an analog read, compiled: the DAC on the driven lines, the ADC on the outputs.

A read drives its lines through a DAC: each vector is scaled so its largest magnitude
sits at +-in_bound, then clipped and rounded to the DAC's levels. Each output (a column
current, or a row current in a backward read) gets Gaussian read noise, is clipped at
+-out_bound and rounded to the ADC's levels. ``levels`` is 2^(bits-1) - 1 per side; 0
means no rounding (an ideal converter).
"""

from __future__ import annotations

import numba
import numpy as np


def levels(bits: int | None) -> int:
    """Levels per side of a ``bits`` converter (0: ideal)."""
    return 0 if bits is None else 2 ** (bits - 1) - 1


@numba.njit(cache=True)
def _convert(value: float, bound: float, steps: int) -> float:
    value = min(max(value, -bound), bound)
    if steps:
        value = np.rint(value * (steps / bound)) * (bound / steps)
    return value


@numba.njit(cache=True)
def drive(vectors, in_bound, steps, driven, scale):
    """DAC: ``driven`` = each vector / its scale, converted; ``scale`` = max |vector| / in_bound (1 for 0)."""
    for b in range(vectors.shape[0]):
        largest = np.abs(vectors[b]).max() / in_bound
        scale[b] = largest if largest != 0 else 1.0
        for i in range(vectors.shape[1]):
            driven[b, i] = _convert(vectors[b, i] / scale[b], in_bound, steps)


@numba.njit(cache=True)
def convert_outputs(partial, normals, out_noise, out_bound, steps, out, offset):
    """ADC: add out_noise x ``normals`` (unused when out_noise is 0) to ``partial``, convert, and
    add into ``out`` from column ``offset`` on (the partial sums of tiles add digitally)."""
    for b in range(partial.shape[0]):
        for j in range(partial.shape[1]):
            value = partial[b, j]
            if out_noise:
                value = value + out_noise * normals[b, j]
            out[b, offset + j] += _convert(value, out_bound, steps)
