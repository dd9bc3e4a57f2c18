"""Counting the pulse coincidences of a stochastic update, compiled.

Each line's firing slots become a bit mask (one bit per slot of the BL-slot train), and
the coincidences of cell (i, j) in one sample are the set bits of mask_i AND mask_j: a
popcount per cell and sample instead of a product of two (batch x BL, lines) matrices
of mostly zeros. The random words are drawn by the caller from the run's generator, in
the order the slot trains always used, so the counts are the same as those of the
matrix product (tests check both).
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


@numba.njit(cache=True)
def _masks(words, thresholds, sample, out):
    """out[line, k]: bit t % 64 of word k set where slot t's word is below the line's threshold."""
    bl, lines = words.shape[1], words.shape[2]
    out[:] = 0
    for line in range(lines):
        limit = thresholds[sample, line]
        if limit == 0:
            continue
        for slot in range(bl):
            if words[sample, slot, line] < limit:
                out[line, slot >> 6] |= np.uint64(1) << np.uint64(slot & 63)


@numba.njit(cache=True)
def count_coincidences(words_x, thresholds_x, signs_x, words_d, thresholds_d, signs_d, ups, downs):
    """Add each sample's coincidences to ``ups`` (x d < 0) and ``downs`` (x d > 0), (inputs, outputs).

    words_*: (batch, BL, lines) uint16 random words; thresholds_*: (batch, lines) int64, a line
    fires in a slot when its word is below the threshold; signs_*: (batch, lines) int8.
    """
    batch, bl = words_x.shape[0], words_x.shape[1]
    inputs, outputs = words_x.shape[2], words_d.shape[2]
    chunks = (bl + 63) // 64
    mask_x = np.zeros((inputs, chunks), np.uint64)
    mask_d = np.zeros((outputs, chunks), np.uint64)
    for b in range(batch):
        _masks(words_x, thresholds_x, b, mask_x)
        _masks(words_d, thresholds_d, b, mask_d)
        for i in range(inputs):
            if thresholds_x[b, i] == 0:
                continue
            for j in range(outputs):
                if thresholds_d[b, j] == 0:
                    continue
                hits = 0
                for k in range(chunks):
                    hits += _popcount(mask_x[i, k] & mask_d[j, k])
                if signs_x[b, i] * signs_d[b, j] > 0:
                    downs[i, j] += hits
                else:
                    ups[i, j] += hits
