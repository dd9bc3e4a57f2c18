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
slot), four 16-bit words from each 64-bit output of the matrix's splitmix64 generator
(``compiled_random``), seeded from the run's streams, so a scenario's seed still fixes
every count.
(Drawing the words from numpy cost more than counting the coincidences.)
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from ..compiled_random import GOLDEN, MIX_1, MIX_2, skip


@intrinsic
def _popcount(typingctx, value):
    """Set bits of a 64-bit word: LLVM's ctpop, one instruction where the CPU has one."""
    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])
    return types.uint64(types.uint64), codegen


@intrinsic
def _fires(typingctx, state, threshold):
    """A 32-slot train: bit k set where 16-bit word k % 4 of the (k // 4 + 1)-th splitmix64 draw
    after ``state`` is below ``threshold`` (< 2^16). The eight draws are made side by side in
    one vector (the state only counts up: draw q mixes state + q x GOLDEN) and their 32 words
    compared at once, without a trip through memory; with AVX-512 the comparison is one
    instruction. Bit-by-bit loops took about twice as long (the earlier kernel) to 30 times
    (a loop over stored words). Words are the draw's low 16 bits first: the vector's 16-bit
    lanes on a little-endian machine."""
    def codegen(context, builder, signature, args):
        word64, word16 = ir.IntType(64), ir.IntType(16)
        draws, words = ir.VectorType(word64, 8), ir.VectorType(word16, 32)

        def splat(vector_type, value):
            vector = ir.Constant(vector_type, None)
            for lane in range(vector_type.count):
                vector = builder.insert_element(vector, value, ir.Constant(ir.IntType(32), lane))
            return vector

        def every(constant):
            return ir.Constant(draws, [ir.Constant(word64, constant)] * 8)

        z = builder.add(splat(draws, args[0]),
                        ir.Constant(draws, [ir.Constant(word64, q * GOLDEN % 2 ** 64) for q in range(1, 9)]))
        z = builder.mul(builder.xor(z, builder.lshr(z, every(30))), every(MIX_1))
        z = builder.mul(builder.xor(z, builder.lshr(z, every(27))), every(MIX_2))
        z = builder.xor(z, builder.lshr(z, every(31)))
        below = builder.icmp_unsigned("<", builder.bitcast(z, words), splat(words, builder.trunc(args[1], word16)))
        return builder.zext(builder.bitcast(below, ir.IntType(32)), word64)
    return types.uint64(types.uint64, types.uint64), codegen


@numba.njit(cache=True)
def _sample_masks(values, scale, bl, offset, state, positive, negative):
    """Set bits ``offset`` ... ``offset + bl - 1`` of each line's mask in ``positive`` or
    ``negative`` (by the sign of its value) where it fires (probability scale |v|); a line at
    0 draws nothing. Returns the generator's state."""
    for line in range(values.size):
        value = values[line]
        if value == 0.0:
            continue
        masks = positive[line] if value > 0 else negative[line]
        threshold = np.uint64(np.rint(min(scale * abs(value), 1.0) * 65536.0))
        for first in range(0, bl, 64):  # up to 64 slots gather in a register, then go to the masks
            slots = min(64, bl - first)
            if threshold > np.uint64(0xFFFF):  # p = 1: every word is below 2^16
                train = ~np.uint64(0)
            else:
                train = _fires(state, threshold)
                if slots > 32:
                    train |= _fires(skip(state, 8), threshold) << np.uint64(32)
            state = skip(state, (slots + 3) // 4)  # four slots a draw; the words past BL are drawn, unused
            if slots < 64:
                train &= (np.uint64(1) << np.uint64(slots)) - np.uint64(1)
            position = offset + first
            word, shift = position >> 6, position & 63
            masks[word] |= train << np.uint64(shift)
            if shift + slots > 64:
                masks[word + 1] |= train >> np.uint64(64 - shift)
    return state


@numba.njit(cache=True)
def pulse_coincidences(x, d, c, manage, bl, state, ups, downs):
    """Into ``ups`` and ``downs`` (int64, (inputs, outputs), overwritten): the coincidences of
    the update -lr x^T d per cell.

    x: (batch, inputs), d: (batch, outputs); the slot words come from the generator state
    ``state`` (a one-element uint64 array, advanced in place). (The caller keeps the count
    arrays: a fresh pair per update, and handing it back to Python, was about a tenth of the
    kernel's time.)
    The slots of the whole mini-batch lie end to end in each line's masks (sample b's slot s
    at bit b BL + s), one mask for the samples where the line is positive, one where it is
    negative: a cell's down pulses are the common bits of (x+, d+) and (x-, d-), its up
    pulses those of (x+, d-) and (x-, d+), counted once per mini-batch.
    """
    batch, inputs, outputs = x.shape[0], x.shape[1], d.shape[1]
    words = (batch * bl + 63) // 64
    x_pos, x_neg = np.zeros((inputs, words), np.uint64), np.zeros((inputs, words), np.uint64)
    d_pos, d_neg = np.zeros((outputs, words), np.uint64), np.zeros((outputs, words), np.uint64)
    ups[:], downs[:] = 0, 0
    s = state[0]
    for b in range(batch):
        x_max, d_max = 0.0, 0.0
        for i in range(inputs):
            x_max = max(x_max, abs(x[b, i]))
        for j in range(outputs):
            d_max = max(d_max, abs(d[b, j]))
        ratio = np.sqrt(d_max / x_max) if manage and x_max > 0 and d_max > 0 else 1.0
        s = _sample_masks(x[b], c * ratio, bl, b * bl, s, x_pos, x_neg)
        s = _sample_masks(d[b], c / ratio, bl, b * bl, s, d_pos, d_neg)
    state[0] = s
    # (no helper takes the masks: arrays passed between compiled functions cost a reference count)
    for i in range(inputs):
        negative = x_neg[i].any()
        if not negative and not x_pos[i].any():
            continue  # a line that never fired
        if not negative:  # the common case: an input line of one sign (activations, pixels)
            for j in range(outputs):
                down, up = np.uint64(0), np.uint64(0)
                for k in range(words):
                    down += _popcount(x_pos[i, k] & d_pos[j, k])
                    up += _popcount(x_pos[i, k] & d_neg[j, k])
                downs[i, j] = np.int64(down)
                ups[i, j] = np.int64(up)
            continue
        for j in range(outputs):
            down, up = np.uint64(0), np.uint64(0)
            for k in range(words):
                down += _popcount(x_pos[i, k] & d_pos[j, k]) + _popcount(x_neg[i, k] & d_neg[j, k])
                up += _popcount(x_pos[i, k] & d_neg[j, k]) + _popcount(x_neg[i, k] & d_pos[j, k])
            downs[i, j] = np.int64(down)
            ups[i, j] = np.int64(up)
