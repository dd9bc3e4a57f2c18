"""The pulse coincidences of one stochastic update (Gokmen & Vlasov 2016), compiled.

Per sample, input line i fires in each of BL slots with probability
p_i = min(c ratio |x_i|, 1) and output line j with q_j = min(c / ratio |d_j|, 1), c =
sqrt(lr / (BL dw)), ratio = sqrt(max|d| / max|x|) under update management (Gokmen et al.
2017), else 1. A line fires in a slot when a 16-bit random word is below p x 2^16 (the
comparator of a stochastic pulse generator). Each line's firing slots become a bit mask,
and the coincidences of cell (i, j) are the set bits of mask_i AND mask_j: a popcount per
cell and sample. Every coincidence is one pulse: down where x_i d_j > 0 (the gradient
step), up where it is < 0.

Only lines whose value is not 0 can fire, so only they take random words: BL words per
such line and sample, drawn by the caller from the run's generator (a seed fixes every
count), consumed sample by sample, input lines then output lines, each line's BL slots
in order.
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
def _line_masks(values, scale, bl, words, position, masks, signs):
    """Masks and signs of one sample's lines of ``values`` (fire probability scale |v|); returns
    the next unused word. A line that cannot fire keeps sign 0."""
    for line in range(values.size):
        masks[line, :] = 0
        signs[line] = 0
        if values[line] == 0.0:
            continue
        signs[line] = 1 if values[line] > 0 else -1
        threshold = np.rint(min(scale * abs(values[line]), 1.0) * 65536.0)
        for slot in range(bl):
            if words[position + slot] < threshold:
                masks[line, slot >> 6] |= np.uint64(1) << np.uint64(slot & 63)
        position += bl
    return position


@numba.njit(cache=True)
def pulse_coincidences(x, d, c, manage, bl, words, ups, downs):
    """Add the coincidences of the update -lr x^T d to ``ups`` and ``downs`` (inputs, outputs).

    x: (batch, inputs), d: (batch, outputs); ``words``: uint16, BL per nonzero entry of x
    and d. Returns the number of words used.
    """
    batch, inputs, outputs = x.shape[0], x.shape[1], d.shape[1]
    chunks = (bl + 63) // 64
    mask_x = np.zeros((inputs, chunks), np.uint64)
    mask_d = np.zeros((outputs, chunks), np.uint64)
    sign_x = np.zeros(inputs, np.int64)
    sign_d = np.zeros(outputs, np.int64)
    position = 0
    for b in range(batch):
        x_max = np.abs(x[b]).max()
        d_max = np.abs(d[b]).max()
        ratio = np.sqrt(d_max / x_max) if manage and x_max > 0 and d_max > 0 else 1.0
        position = _line_masks(x[b], c * ratio, bl, words, position, mask_x, sign_x)
        position = _line_masks(d[b], c / ratio, bl, words, position, mask_d, sign_d)
        for i in range(inputs):
            if sign_x[i] == 0:
                continue
            for j in range(outputs):
                if sign_d[j] == 0:
                    continue
                hits = 0
                for k in range(chunks):
                    hits += _popcount(mask_x[i, k] & mask_d[j, k])
                if sign_x[i] * sign_d[j] > 0:
                    downs[i, j] += hits
                else:
                    ups[i, j] += hits
    return position
