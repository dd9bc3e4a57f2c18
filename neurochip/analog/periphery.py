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


@numba.njit(cache=True)
def tiles_driven(driven, sources, widths):
    """(live, converted): whether any line of each tile's ``sources`` [start, stop) is driven
    (not 0) in any vector, and the summed ``widths`` (converted lines) of the live tiles."""
    live = np.zeros(sources.shape[0], np.bool_)
    converted = 0
    for t in range(sources.shape[0]):
        for b in range(driven.shape[0]):
            for line in range(sources[t, 0], sources[t, 1]):
                if driven[b, line] != 0.0:
                    live[t] = True
                    break
            if live[t]:
                converted += widths[t]
                break
    return live, converted


@numba.njit(cache=True)
def read_tiles(driven, scale, weights, inputs, outputs, forward, live, normals, out_noise, out_bound, steps, out,
               line_drives):
    """Every tile's analog product and ADC, their partial sums added into ``out``.

    Tile t holds the matrix block [inputs[t, 0]:inputs[t, 1], outputs[t, 0]:outputs[t, 1]]
    from the top-left corner of ``weights[t]`` (its array as this read sees it). A forward
    read drives its input lines and converts one output per output line; a backward read
    drives the output lines through the transposed array. Only ``live`` tiles (some line
    driven) are read; they take their ``normals`` in turn, (vectors, converted lines) each
    in C order, and ``line_drives[t]`` counts their nonzero line drives. Each output vector
    is finally scaled back by its DAC ``scale``.
    """
    used = 0
    for t in range(len(weights)):
        line_drives[t] = 0
        if not live[t]:
            continue
        w = weights[t]
        i0, o0 = inputs[t, 0], outputs[t, 0]
        rows, cols = inputs[t, 1] - i0, outputs[t, 1] - o0
        width = cols if forward else rows  # converted lines
        partial = np.zeros(width)
        for b in range(driven.shape[0]):
            partial[:] = 0.0
            if forward:
                for i in range(rows):
                    v = driven[b, i0 + i]
                    if v != 0.0:
                        line_drives[t] += 1
                        for j in range(cols):
                            partial[j] += v * w[i, j]
            else:
                for j in range(cols):
                    line_drives[t] += driven[b, o0 + j] != 0.0
                for i in range(rows):
                    total = 0.0
                    for j in range(cols):
                        total += driven[b, o0 + j] * w[i, j]
                    partial[i] = total
            start = i0 if not forward else o0
            for k in range(width):
                value = partial[k]
                if out_noise:
                    value += out_noise * normals[used + b * width + k]
                out[b, start + k] += _convert(value, out_bound, steps)
        used += driven.shape[0] * width
    for b in range(out.shape[0]):
        out[b] *= scale[b]
