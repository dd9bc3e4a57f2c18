"""The periphery of an analog read, compiled: the DAC on the driven lines, the ADC on the outputs.

A read drives its lines through a DAC: each vector is scaled so its largest magnitude
sits at +-in_bound, then clipped and rounded to the DAC's levels. Each output (a column
current, or a row current in a backward read) gets Gaussian read noise, is clipped at
+-out_bound and rounded to the ADC's levels. ``levels`` is 2^(bits-1) - 1 per side; 0
means no rounding (an ideal converter). ``read_matrix`` does a whole read of a tiled
matrix in one compiled call: Python's per-call cost was most of a small tile's read.
"""

from __future__ import annotations

import numba
import numpy as np

from ..compiled_random import normal


def levels(bits: int | None) -> int:
    """Levels per side of a ``bits`` converter (0: ideal)."""
    return 0 if bits is None else 2 ** (bits - 1) - 1


@numba.njit(cache=True)
def convert(value: float, bound: float, steps: int) -> float:
    """A converter: clip at +-bound, round to ``steps`` levels a side (0: no rounding)."""
    value = min(max(value, -bound), bound)
    if steps:
        value = np.rint(value * (steps / bound)) * (bound / steps)
    return value


@numba.njit(cache=True)
def drive(vectors, in_bound, steps, driven, scale):
    """DAC: ``driven`` = each vector / its scale, converted; ``scale`` = max |vector| / in_bound (1 for 0)."""
    for b in range(vectors.shape[0]):
        largest = 0.0
        for i in range(vectors.shape[1]):
            largest = max(largest, abs(vectors[b, i]))
        largest /= in_bound
        scale[b] = largest if largest != 0 else 1.0
        inverse = 1.0 / scale[b]
        for i in range(vectors.shape[1]):
            driven[b, i] = convert(vectors[b, i] * inverse, in_bound, steps)


@numba.njit(cache=True)
def read_matrix(vectors, weights, inputs, outputs, forward, in_bound, dac_steps, out_noise, state, out_bound,
                adc_steps, lines_out, tally):
    """``out``: a whole read. The DAC, every tile's analog product and ADC, their partial sums
    added into ``out`` (vectors x ``lines_out``), each vector scaled back by its DAC scale.

    Tile t holds the matrix block [inputs[t, 0]:inputs[t, 1], outputs[t, 0]:outputs[t, 1]]
    from the top-left corner of ``weights[t]`` (its array as this read sees it). A forward
    read drives its input lines and converts one output per output line; a backward read
    drives the output lines through the transposed array. A tile with no line driven is
    not read. ``tally[t]`` (int64) gains the tile's nonzero line drives and, if it was read,
    the vectors it converted (``AnalogMatrix`` hands them to the ledger). The read noise (standard
    deviation ``out_noise``) comes from the generator state ``state``, advanced in place:
    tile after tile, vector by vector, line by line.
    """
    count = vectors.shape[0]
    out = np.zeros((count, lines_out))
    driven, scale = np.empty_like(vectors), np.empty(count)
    drive(vectors, in_bound, dac_steps, driven, scale)
    s = state[0]
    for t in range(len(weights)):
        i0, o0 = inputs[t, 0], outputs[t, 0]
        rows, cols = inputs[t, 1] - i0, outputs[t, 1] - o0
        first, lines, start, width = (i0, rows, o0, cols) if forward else (o0, cols, i0, rows)
        drives = 0
        for b in range(count):
            for k in range(lines):
                drives += driven[b, first + k] != 0.0
        if drives:
            tally[t, 0] += drives
            tally[t, 1] += count
            # the tile's block as the driven lines see it: rows of the array forward, its columns
            # (copied into rows, so that each line's products run along memory) backward
            w = weights[t] if forward else np.ascontiguousarray(weights[t][:rows, :cols].T)
            partial = np.empty(width)
            for b in range(count):
                partial[:] = 0.0
                for line in range(lines):
                    v = driven[b, first + line]
                    if v != 0.0:
                        for k in range(width):
                            partial[k] += v * w[line, k]
                for k in range(width):
                    value = partial[k]
                    if out_noise:
                        s, z = normal(s)
                        value += out_noise * z
                    out[b, start + k] += convert(value, out_bound, adc_steps)
    state[0] = s
    for b in range(count):
        for k in range(lines_out):
            out[b, k] *= scale[b]
    return out
