"""The pulse coincidences of one stochastic update (Gokmen & Vlasov 2016), compiled.

Per sample, input line i fires in each of BL slots with probability
p_i = min(c ratio |x_i|, 1) and output line j with q_j = min(c / ratio |d_j|, 1), c =
sqrt(lr / (BL dw)), ratio = sqrt(max|d| / max|x|) under update management (Gokmen et al.
2017), else 1. A line fires in a slot when a 16-bit random word is below p x 2^16 (the
comparator of a stochastic pulse generator). Each line's firing slots become a bit mask,
and the coincidences of cell (i, j) are the set bits of mask_i AND mask_j: a popcount per
cell and sample. Every coincidence is one pulse: down where x_i d_j > 0 (the gradient
step), up where it is < 0.

Only lines whose value is not 0 can fire, so only they take random words: BL per such
line and sample, in order (sample by sample, input lines then output lines, slot by
slot), four 16-bit words from each 64-bit output of a splitmix64 generator whose seed
the caller draws from the run's generator, so a scenario's seed still fixes every count.
(Drawing the words from numpy cost more than counting the coincidences.)
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def _popcount(value: np.uint64) -> int:
    """Set bits of a 64-bit word (the SWAR method)."""
    value = value - ((value >> np.uint64(1)) & np.uint64(0x5555555555555555))
    value = (value & np.uint64(0x3333333333333333)) + ((value >> np.uint64(2)) & np.uint64(0x3333333333333333))
    value = (value + (value >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((value * np.uint64(0x0101010101010101)) >> np.uint64(56))


@numba.njit(cache=True, inline="always")
def _next(state):
    """Splitmix64 (Steele, Lea & Flood, OOPSLA 2014): (next state, 64 random bits)."""
    state += np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@numba.njit(cache=True)
def _line_masks(values, scale, bl, state, masks, signs):
    """Masks and signs of one sample's lines of ``values`` (fire probability scale |v|); a line
    that cannot fire keeps sign 0 and draws nothing. Returns the generator's state."""
    for line in range(values.size):
        masks[line, :] = 0
        signs[line] = 0
        if values[line] == 0.0:
            continue
        signs[line] = 1 if values[line] > 0 else -1
        threshold = np.uint64(np.rint(min(scale * abs(values[line]), 1.0) * 65536.0))
        bits = np.uint64(0)
        for slot in range(bl):
            if (slot & 3) == 0:
                state, bits = _next(state)
            # no branch on the comparison: its outcome is random, and a mispredicted jump costs more
            masks[line, slot >> 6] |= np.uint64((bits & np.uint64(0xFFFF)) < threshold) << np.uint64(slot & 63)
            bits >>= np.uint64(16)
    return state


@numba.njit(cache=True)
def pulse_coincidences(x, d, c, manage, bl, seed, ups, downs):
    """Add the coincidences of the update -lr x^T d to ``ups`` and ``downs`` (inputs, outputs).

    x: (batch, inputs), d: (batch, outputs); ``seed`` starts the slot words' generator.
    """
    batch, inputs, outputs = x.shape[0], x.shape[1], d.shape[1]
    chunks = (bl + 63) // 64
    mask_x = np.zeros((inputs, chunks), np.uint64)
    mask_d = np.zeros((outputs, chunks), np.uint64)
    sign_x = np.zeros(inputs, np.int64)
    sign_d = np.zeros(outputs, np.int64)
    state = np.uint64(seed)
    for b in range(batch):
        x_max, d_max = 0.0, 0.0
        for i in range(inputs):
            x_max = max(x_max, abs(x[b, i]))
        for j in range(outputs):
            d_max = max(d_max, abs(d[b, j]))
        ratio = np.sqrt(d_max / x_max) if manage and x_max > 0 and d_max > 0 else 1.0
        state = _line_masks(x[b], c * ratio, bl, state, mask_x, sign_x)
        state = _line_masks(d[b], c / ratio, bl, state, mask_d, sign_d)
        for i in range(inputs):
            if sign_x[i] == 0:
                continue
            for j in range(outputs):
                hits = 0
                for k in range(chunks):
                    hits += _popcount(mask_x[i, k] & mask_d[j, k])
                # x d > 0: the gradient step lowers w (branch-free; a silent d line adds 0)
                down = sign_x[i] * sign_d[j] > 0
                downs[i, j] += hits * down
                ups[i, j] += hits * (1 - down)


@numba.njit(cache=True)
def touched(ups, downs, inputs_start, inputs_stop, outputs_start, outputs_stop, core_cols):
    """(cells, ups, downs) of the cells of one tile with a pulse: the matrix block
    [inputs_start:inputs_stop, outputs_start:outputs_stop] laid from the top-left corner of
    a ``core_cols``-wide array, in row-major order."""
    size = (inputs_stop - inputs_start) * (outputs_stop - outputs_start)
    cells = np.empty(size, np.int64)
    block_ups = np.empty(size, np.int64)
    block_downs = np.empty(size, np.int64)
    n = 0
    for i in range(inputs_start, inputs_stop):
        for j in range(outputs_start, outputs_stop):
            if ups[i, j] > 0 or downs[i, j] > 0:
                cells[n] = (i - inputs_start) * core_cols + (j - outputs_start)
                block_ups[n], block_downs[n] = ups[i, j], downs[i, j]
                n += 1
    return cells[:n], block_ups[:n], block_downs[:n]
