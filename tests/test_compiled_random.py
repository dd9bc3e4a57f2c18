"""The kernels' own generator: splitmix64 bits and ziggurat normals (neurochip.compiled_random)."""

import math

import numpy as np
from scipy import stats

from neurochip import compiled_random
from neurochip.compiled_random import new_state, normals


def test_every_ziggurat_layer_has_the_same_area():
    """Layer i >= 1 is x_i (f(x_(i+1)) - f(x_i)) = v; the base layer, r f(r) plus the tail
    integral sqrt(pi / 2) erfc(r / sqrt 2), is v too (Marsaglia & Tsang 2000, 128 layers)."""
    x, f = compiled_random._EDGES, compiled_random._DENSITY
    v, r = compiled_random._LAYER_AREA, compiled_random._TAIL_START
    np.testing.assert_allclose(x[1:-1] * (f[2:] - f[1:-1]), v, rtol=1e-6)
    assert math.isclose(r * math.exp(-r * r / 2) + math.sqrt(math.pi / 2) * math.erfc(r / math.sqrt(2)), v,
                        rel_tol=1e-9)
    assert math.isclose(x[0] * f[1], v) and x[-1] == 0.0


def test_normals_have_the_standard_normal_moments_and_tails():
    """10^6 seeded draws: mean, variance and tail fractions within 4 standard errors, and the
    Kolmogorov-Smirnov distance below its 0.1 % critical value (1.95 / sqrt n)."""
    n = 1_000_000
    z = normals(new_state(np.random.default_rng(11)), n)
    assert abs(z.mean()) < 4 / math.sqrt(n)
    assert abs(z.var() - 1) < 4 * math.sqrt(2 / n)
    for k in (1.0, 2.0, 3.5):
        p = math.erfc(k / math.sqrt(2))  # P(|z| > k)
        assert abs(np.mean(np.abs(z) > k) - p) < 4 * math.sqrt(p * (1 - p) / n)
    assert stats.kstest(z, "norm").statistic < 1.95 / math.sqrt(n)


def test_a_state_advances_in_place_and_repeats_from_a_copy():
    state = new_state(np.random.default_rng(3))
    copy = state.copy()
    first = normals(state, 5)
    assert state != copy
    np.testing.assert_array_equal(normals(copy, 5), first)
    assert state == copy and not np.array_equal(normals(state, 5), first)


def test_a_skip_lands_on_the_state_after_as_many_draws():
    """splitmix64's state only counts up: ``skip(state, k)`` is the state after k draws, also
    across the wrap at 2^64 (the coincidences make draws ahead of the state this way)."""
    import numba

    @numba.njit
    def in_turn(state, count):
        for _ in range(count):
            state, _bits = compiled_random.next_bits(state)
        return state

    start = np.uint64(0xFFFFFFFFFFFFFFF0)
    for k in (0, 1, 9):
        assert compiled_random.skip(start, k) == in_turn(start, k)
