"""Random numbers drawn inside compiled kernels: splitmix64 bits, uniforms and normals.

A kernel that needs random numbers takes a generator state (a ``uint64``; Python keeps
it in a one-element array, ``new_state``, which the kernel advances in place) instead of
an array of numbers drawn by numpy beforehand: at the few hundred numbers a tile
update or read needs, numpy's per-call cost and its ~15 ns a normal on this class of
machine were about 15 % of a Tiki-Taka training step (normals 11 %, per-update seeds
4.5 %, sampled by py-spy); a normal here costs about 4.5 ns. The state is seeded once from a run's named
stream (``randomness.Streams``), so a seed still fixes every number.

* bits: splitmix64 (Steele, Lea & Flood, OOPSLA 2014), 64 bits per step;
* uniforms on [0, 1): the top 53 bits;
* normals: the ziggurat method of Marsaglia & Tsang (J. Stat. Softw. 5(8), 2000) with
  128 layers of equal area v = 9.91256303526217e-3 and base layer edge r = 3.442619855899,
  the values they give for 128 layers; a draw outside its layer's core takes the wedge
  test, and the base layer's tail beyond r Marsaglia's (1964) exponential method.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_LAYERS = 128
_TAIL_START = 3.442619855899       # r: where the base layer's tail begins
_LAYER_AREA = 9.91256303526217e-3  # v: the area of each layer


def _ziggurat_edges(count: int = _LAYERS, r: float = _TAIL_START, area: float = _LAYER_AREA):
    """(x, f): the layers' right edges x_0 > x_1 = r > ... > x_count = 0 and the density
    exp(-x^2 / 2) there. Layer i >= 1 is the box [0, x_i] x [f(x_i), f(x_(i+1))] of area v,
    so f(x_(i+1)) = f(x_i) + v / x_i; the base layer is [0, v / f(r)] x [0, f(r)], its part
    beyond r standing for the tail."""
    x = np.empty(count + 1)
    x[0], x[1] = area / math.exp(-0.5 * r * r), r
    for i in range(1, count):
        y = math.exp(-0.5 * x[i] * x[i]) + area / x[i]
        x[i + 1] = math.sqrt(-2.0 * math.log(y)) if y < 1.0 else 0.0
    x[count] = 0.0  # the top layer's left edge (rounding leaves it a hair off 0)
    return x, np.exp(-0.5 * x * x)


_EDGES, _DENSITY = _ziggurat_edges()
_UNIT = 1.0 / 9007199254740992.0  # 2^-53


def new_state(rng: np.random.Generator) -> np.ndarray:
    """A kernel's generator state, seeded from ``rng``: a one-element uint64 array."""
    return rng.integers(0, 2 ** 64, size=1, dtype=np.uint64)


#: splitmix64's increment and the multipliers of its output function (``coincidences`` builds the
#: same function as vector code)
GOLDEN, MIX_1, MIX_2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


@numba.njit(cache=True, inline="always")
def next_bits(state):
    """Splitmix64: (next state, 64 random bits)."""
    state += np.uint64(GOLDEN)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX_1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX_2)
    return state, z ^ (z >> np.uint64(31))


@numba.njit(cache=True, inline="always")
def skip(state, k):
    """The state after k calls of ``next_bits``: splitmix64's state only counts up, so the k-th
    draw from a state can be made directly (e.g. several in one vector)."""
    return state + np.uint64(k) * np.uint64(GOLDEN)


@numba.njit(cache=True, inline="always")
def uniform(state):
    """(next state, a uniform number on [0, 1) with 53 random bits)."""
    state, bits = next_bits(state)
    return state, np.float64(bits >> np.uint64(11)) * _UNIT


@numba.njit(cache=True)
def _outside_core(state, layer, x):
    """(state, |normal| or nan) for a draw ``x`` that fell outside layer ``layer``'s core: the
    tail beyond r for the base layer, else the wedge test (nan: rejected, draw again)."""
    if layer == 0:
        r = _EDGES[1]
        while True:
            state, u1 = uniform(state)
            state, u2 = uniform(state)
            t = -math.log(1.0 - u1) / r
            if -2.0 * math.log(1.0 - u2) > t * t:
                return state, r + t
    state, u = uniform(state)
    if _DENSITY[layer] + u * (_DENSITY[layer + 1] - _DENSITY[layer]) < math.exp(-0.5 * x * x):
        return state, x
    return state, np.nan


@numba.njit(cache=True, inline="always")
def normal(state):
    """(next state, a standard normal number): one 64-bit draw for about 98 % of them (the
    low 7 bits pick the layer, bit 7 the sign, the top 53 the position)."""
    while True:
        state, bits = next_bits(state)
        layer = np.int64(bits & np.uint64(_LAYERS - 1))
        sign = 1.0 - 2.0 * np.float64((bits >> np.uint64(7)) & np.uint64(1))  # no branch on a coin flip
        x = np.float64(bits >> np.uint64(11)) * _UNIT * _EDGES[layer]
        if x >= _EDGES[layer + 1]:
            state, x = _outside_core(state, layer, x)
            if x != x:
                continue
        return state, sign * x


@numba.njit(cache=True)
def normals(state, count):
    """``count`` standard normals from the state array ``state``, advanced in place (for
    references and tests: kernels draw one at a time through ``normal``)."""
    out = np.empty(count)
    s = state[0]
    for k in range(count):
        s, out[k] = normal(s)
    state[0] = s
    return out
