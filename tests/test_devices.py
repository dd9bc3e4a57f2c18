"""Device physics against what can be derived: drift law, mean steps, bounds, refresh, retention."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurochip.description.devices import CapacitorSpec, IdealDeviceSpec, PCMPairSpec, SoftBoundsSpec
from neurochip.devices.crossbar import device_array
from neurochip.devices.pcm import PCMDevices, mean_step, prog_noise_std, read_noise_q, read_noise_std


class Counts(dict):
    def __call__(self, kind, n):
        self[kind] = self.get(kind, 0) + n


def make(spec, shape=(20, 50), seed=0):
    counts = Counts()
    return device_array(spec, shape, np.random.default_rng(seed), counts), counts


# ---- PCM ------------------------------------------------------------------------------

def test_drift_follows_the_power_law_at_fixed_times():
    spec = PCMPairSpec(prog_noise=False, read_noise=False)
    devices = PCMDevices(10_000, spec, np.random.default_rng(1))
    devices.program(np.arange(10_000), np.full(10_000, 0.5), now=0.0)
    g0 = devices.value(0.0)
    np.testing.assert_array_equal(devices.value(19.0), g0)  # before t0 nothing drifts
    for t in (20.0, 3600.0, 86400.0, 30 * 86400.0):
        np.testing.assert_allclose(devices.value(t), g0 * (t / 20.0) ** -devices.nu, rtol=1e-12)
    # at u = 0.5 the fit gives mu = -0.0155 ln 0.5 + 0.0244 = 0.0351, clipped up to 0.049,
    # and sigma = -0.0125 ln 0.5 - 0.0059 = 0.0028, clipped up to 0.008
    assert devices.nu.mean() == pytest.approx(0.049, abs=3 * 0.008 / 100)
    assert devices.nu.std() == pytest.approx(0.008, rel=0.05)
    # one day after programming a device at u = 0.5 keeps (86400 / 20)^-0.049 = 66.3 % of its conductance
    assert np.median(devices.value(86400.0) / g0) == pytest.approx((86400 / 20) ** -0.049, rel=0.01)


@pytest.mark.parametrize("x", [0.0, 0.3, 0.6, 0.9])
def test_pcm_mean_step_against_state(x):
    spec = PCMPairSpec(prog_noise=False, read_noise=False, drift=False)
    n = 40_000
    devices = PCMDevices(n, spec, np.random.default_rng(2))
    cells = np.arange(n)
    devices.program(cells, np.full(n, x), 0.0)
    before = devices.value(0.0)
    devices.set_pulse(cells, 1e-3)
    steps = devices.value(1e-3) - before
    expected = 0.005 * (math.exp(-2.5 * x) - math.exp(-2.5)) / (1 - math.exp(-2.5))
    assert expected == pytest.approx(mean_step(np.array([x]), 0.005, 2.5)[0])
    if x > 0:  # at x = 0 negative cycle-to-cycle steps are clipped at g_min, biasing the mean up
        spread = expected * math.sqrt(0.2**2 + 0.6**2 * (1 + 0.2**2))
        assert steps.mean() == pytest.approx(expected, abs=4 * spread / math.sqrt(n))
    assert np.all(devices.value(1e-3) <= 1.0)


def test_steps_shrink_as_the_device_fills():
    x = np.linspace(0, 1, 11)
    step = mean_step(x, 0.005, 2.5)
    assert np.all(np.diff(step) < 0) and step[-1] == 0.0


def test_pcm_pulses_from_empty_to_near_full():
    # mean pulses to reach x: integral dx / step(x); at dw_min 0.005 and gamma 2.5 about 320 to x = 0.9
    spec = PCMPairSpec(prog_noise=False, read_noise=False, drift=False, dw_min_std=0.0, dw_min_dtod=0.0,
                       refresh=None)
    array, counts = make(spec, shape=(1, 1))
    xs = np.linspace(0, 0.9, 100_001)
    predicted = np.trapezoid(1 / mean_step(xs, 0.005, 2.5), xs)
    pulses = 0
    while array.plus.value(0.0)[0] < 0.9:
        array.pulse(np.array([0]), np.array([1]), 0.0)
        pulses += 1
    assert pulses == pytest.approx(predicted, rel=0.01)
    assert counts["set_pulse"] == pulses


def test_read_noise_grows_with_time_since_programming():
    since = np.array([1e-6, 1.0, 86400.0])
    std = read_noise_std(read_noise_q(np.full(3, 0.5)), since, 250e-9)
    q = 0.0088 / 0.5**0.65
    np.testing.assert_allclose(std, q * np.sqrt(np.log((since + 250e-9) / 500e-9)))
    assert np.all(np.diff(std) > 0)
    assert read_noise_q(np.array([1e-4]))[0] == 0.2  # capped for nearly empty devices


def test_pair_reads_scatter_with_the_combined_read_noise():
    spec = PCMPairSpec(prog_noise=False, drift=False, refresh=None)
    array, _ = make(spec, shape=(1, 1), seed=7)
    array.plus.program(np.array([0]), np.array([0.6]), 0.0)
    array.minus.program(np.array([0]), np.array([0.2]), 0.0)
    now = 10.0
    reads = np.array([array.weights(now)[0, 0] for _ in range(20_000)])
    factor = np.sqrt(np.log((now + 250e-9) / 500e-9))
    expected_std = np.hypot(0.6 * read_noise_q(np.array([0.6]))[0], 0.2 * read_noise_q(np.array([0.2]))[0]) * factor
    assert reads.mean() == pytest.approx(0.4, abs=4 * expected_std / np.sqrt(reads.size))
    assert reads.std() == pytest.approx(expected_std, rel=0.03)


def test_refresh_keeps_the_weight_within_the_programming_noise():
    spec = PCMPairSpec(read_noise=False, drift=False, refresh=PCMPairSpec().refresh)
    array, counts = make(spec, shape=(100, 100), seed=3)
    n = 10_000
    # every pair with G+ past the threshold and G- at a middling level
    array.plus.u[:] = np.linspace(0.91, 1.0, n)
    array.minus.u[:] = 0.30
    before = array.weights(0.0, noisy=False).ravel()
    refreshed = array.refresh(1.0)
    after = array.weights(1.0, noisy=False).ravel()
    assert refreshed == n and counts == {"refresh": n, "reset_pulse": 2 * n, "program": n}
    assert np.all(array.minus.value(1.0) == 0.0)  # G- RESET, the difference now held by G+
    sigma = prog_noise_std(before, 25e-6) / 25e-6
    z = (after - before) / sigma
    assert abs(z.mean()) < 4 / math.sqrt(n) + 0.05  # programming noise is centred (up to clipping)
    assert z.std() == pytest.approx(1.0, rel=0.05)
    assert np.all(array.plus.value(1.0) < spec.refresh.threshold)


def test_pair_weight_is_the_conductance_difference():
    spec = PCMPairSpec(read_noise=False, drift=False, prog_noise=False, w_max=2.0)
    array, _ = make(spec, shape=(2, 3))
    target = np.array([[0.5, -0.25, 0.0], [1.0, -1.0, 0.1]])
    array.program(target, 0.0)
    np.testing.assert_allclose(array.weights(0.0, noisy=False), target)
    g = array.conductances(0.0, np.arange(6))
    np.testing.assert_allclose(2.0 * (g["g_plus"] - g["g_minus"]) / 25e-6, target.ravel())


# ---- soft bounds, capacitor, ideal ---------------------------------------------------

def test_softbounds_mean_step_against_state():
    spec = SoftBoundsSpec(up_down=0.2, dw_min_std=0.0)
    array, _ = make(spec, shape=(1, 1000), seed=4)
    cells = np.arange(1000)
    for w in (-0.3, 0.0, 0.3):
        array.program(np.full((1, 1000), w), 0.0)
        array.pulse(cells, np.ones(1000), 0.0)
        w_in = np.clip(w, array.w_min, array.w_max)
        np.testing.assert_allclose(array.w - w_in, array.up * (1 - w_in / array.w_max), rtol=1e-9)  # w + step - w rounds


def test_softbounds_settles_at_its_symmetry_point_under_random_pulses():
    spec = SoftBoundsSpec(up_down=0.2, dw_min_std=0.3)
    array, _ = make(spec, shape=(1, 200), seed=5)
    rng = np.random.default_rng(6)
    cells = np.arange(200)
    array.program(np.full((1, 200), 0.4), 0.0)
    history = []
    for step in range(60_000):
        array.pulse(cells, rng.choice([-1, 1], 200), 0.0)
        if step >= 10_000:
            history.append(array.w.copy())
    settled = np.mean(history, axis=0)
    # the mean step is linear in w, so the stationary mean is the symmetry point exactly;
    # a walk with steps ~1e-3 fluctuates by ~0.02 around it, its 50,000-pulse average by a few 1e-3
    error = settled - array.symmetry_point()
    assert np.abs(error).max() < 0.02
    assert abs(error.mean()) < 4 * error.std() / np.sqrt(error.size)
    assert np.corrcoef(settled, array.symmetry_point())[0, 1] > 0.95


def test_a_dead_softbounds_cell_has_its_value_as_symmetry_point():
    """A 300 % step spread cuts about a third of the steps to zero: those cells never move, so
    their symmetry point (the zero-shifting reference) is where they sit, not 0 / 0."""
    array, _ = make(SoftBoundsSpec(up_down=0.2, dw_min_dtod=3.0), shape=(10, 30), seed=2)
    array.program(np.full((10, 30), 0.25), 0.0)
    dead = array.up == 0
    assert 40 < dead.sum() < 200  # P(1 + 3 xi < 0) = 0.37 of 300
    before = array.w.copy()
    array.pulse_counts(np.arange(300), np.full(300, 50), np.full(300, 50), 0.0)
    assert np.array_equal(array.w[dead], before[dead])
    point = array.symmetry_point()
    assert np.isfinite(point).all()
    np.testing.assert_array_equal(point[dead], before[dead])  # 0.25, or a bound that clipped it
    live = ~dead
    np.testing.assert_allclose(point[live], (array.up[live] - array.down[live])
                               / (array.up[live] / array.w_max[live] - array.down[live] / array.w_min[live]))


def test_capacitor_retention_decays_with_its_time_constant():
    spec = CapacitorSpec(w_rest=0.1)
    array, _ = make(spec, shape=(4, 5))
    array.program(np.full((4, 5), 0.8), now=100.0)
    tau = 775 * 60.0
    np.testing.assert_allclose(array.weights(100.0 + tau, noisy=False), 0.1 + 0.7 * math.exp(-1))
    np.testing.assert_allclose(array.weights(100.0 + 5 * tau, noisy=False), 0.1 + 0.7 * math.exp(-5))


def test_capacitor_and_ideal_steps():
    cap, _ = make(CapacitorSpec(dw_min_std=0.0, dw_min_dtod=0.0, up_down=0.1), shape=(1, 3))
    cap.pulse(np.arange(3), np.array([1, -1, 0]), 0.0)
    np.testing.assert_allclose(cap.w, [0.002 * 1.1, -0.002 * 0.9, 0.0])
    ideal, counts = make(IdealDeviceSpec(dw=0.25, w_max=0.6), shape=(1, 2))
    for _ in range(3):
        ideal.pulse(np.arange(2), np.array([1, -1]), 0.0)
    np.testing.assert_array_equal(ideal.w, [0.6, -0.6])
    assert counts == {"up_pulse": 3, "down_pulse": 3}


def test_a_grid_is_what_a_read_sees_and_follows_programming():
    """Soft bounds: a view of the stored values, still right after program() replaces them;
    capacitor: the decayed values, not the stored ones."""
    soft, _ = make(SoftBoundsSpec(), shape=(3, 4))
    soft.program(np.full((3, 4), 0.1), now=0.0)
    assert np.shares_memory(soft.grid(0.0), soft.w) and soft.grid(0.0) is soft.grid(1.0)
    soft.program(np.full((3, 4), 0.2), now=0.0)
    np.testing.assert_array_equal(soft.grid(0.0), 0.2)
    cap, _ = make(CapacitorSpec(w_rest=0.1), shape=(3, 4))
    cap.program(np.full((3, 4), 0.8), now=0.0)
    np.testing.assert_allclose(cap.grid(775 * 60.0), 0.1 + 0.7 * math.exp(-1))


# ---- every model: bounds, reproducibility ---------------------------------------------

SPECS = [PCMPairSpec(), SoftBoundsSpec(up_down=0.3), CapacitorSpec(), IdealDeviceSpec(dw=0.05, w_max=0.5)]


def within_bounds(array):
    if isinstance(array.spec, PCMPairSpec):
        return all(np.all((d.u >= d.u_min) & (d.u <= 1.0)) for d in (array.plus, array.minus))
    if isinstance(array.spec, SoftBoundsSpec):
        return np.all((array.w >= array.w_min) & (array.w <= array.w_max))
    if isinstance(array.spec, CapacitorSpec):
        return np.all((array.w >= array.spec.w_min) & (array.w <= array.spec.w_max))
    return np.all(np.abs(array.w) <= array.spec.w_max)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.model)
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batches=st.lists(st.tuples(st.integers(1, 60), st.integers(-1, 1),
                                                                   st.floats(0, 1e5)), min_size=1, max_size=40))
def test_bounds_are_never_crossed(spec, seed, batches):
    array, _ = make(spec, shape=(6, 10), seed=seed)
    rng = np.random.default_rng(seed)
    now = 0.0
    for count, bias, dt in batches:
        now += dt
        cells = rng.choice(60, size=count, replace=False)
        signs = rng.choice([-1, 1], size=count) if bias == 0 else np.full(count, bias)
        array.pulse(cells, signs, now)
        assert within_bounds(array)


def test_whole_line_reads_of_plain_value_arrays_are_copies_of_the_cells():
    """Ideal arrays read whole rows or columns by slicing: the same values as the cell-by-cell
    read, in the order asked (a line twice included), and a copy the caller may change."""
    array = device_array(IdealDeviceSpec(), (5, 4), np.random.default_rng(0), lambda kind, n: None)
    array.program(np.random.default_rng(1).uniform(-1, 1, (5, 4)), 0.0)
    grid = array.w.reshape(5, 4).copy()
    rows, cols = np.array([3, 0, 3]), np.array([2, 1])
    np.testing.assert_array_equal(array.weights(1.0, rows=rows), grid[[3, 0, 3]])
    np.testing.assert_array_equal(array.weights(1.0, cols=cols), grid[:, [2, 1]])
    np.testing.assert_array_equal(array.weights(1.0, rows=rows, cols=cols), grid[np.ix_(rows, cols)])
    for block in (array.weights(1.0), array.weights(1.0, rows=rows), array.weights(1.0, cols=cols)):
        block += 5.0
    np.testing.assert_array_equal(array.w.reshape(5, 4), grid)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.model)
def test_seeded_arrays_repeat_bit_for_bit(spec):
    results = []
    for _ in range(2):
        array, counts = make(spec, shape=(8, 8), seed=11)
        rng = np.random.default_rng(12)
        for t in range(50):
            array.pulse(rng.choice(64, 20, replace=False), rng.choice([-1, 1], 20), float(t))
        results.append((array.weights(100.0, noisy=True), dict(counts)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]


def test_compiled_read_and_pulse_agree_with_the_numpy_formulas():
    """pcm_kernels computes the published model of pcm.py: same numbers for the same random draws."""
    from neurochip.description.devices import PCMPairSpec
    from neurochip.devices.pcm import PCMPairArray, drift_exponents, mean_step, read_noise_q

    spec = PCMPairSpec(refresh=None)
    pairs = PCMPairArray((6, 5), spec, np.random.default_rng(1), lambda kind, n: None)
    pairs.program(np.random.default_rng(2).uniform(-0.8, 0.8, (6, 5)), 0.0)
    bank, now = pairs.bank, 300.0  # long after programming: drift and read noise both matter
    cells = np.arange(30)
    both = np.concatenate([cells, cells + pairs.size])
    u = bank.value(now, both)
    spread = u * bank.read_std(now, both)
    normals = np.random.default_rng(5).standard_normal(cells.size)
    pairs.rng = np.random.default_rng(5)
    expected = spec.w_max * (u[:30] - u[30:] + np.hypot(spread[:30], spread[30:]) * normals)
    np.testing.assert_allclose(pairs.weights(now).ravel(), expected, rtol=1e-12)
    # a block of lines in any order, a line twice: the same formula, normals in the block's row-major order
    rows, cols = np.array([4, 1, 4]), np.array([3, 0])
    block = (rows[:, None] * 5 + cols[None, :]).ravel()
    pairs.rng = np.random.default_rng(5)
    expected = spec.w_max * (u[block] - u[block + 30] + np.hypot(spread[block], spread[block + 30]) * normals[:6])
    np.testing.assert_allclose(pairs.weights(now, rows=rows, cols=cols), expected.reshape(3, 2), rtol=1e-12)
    # a SET on two G+ and one G- device
    devices = np.array([3, 8, pairs.size + 4])
    before = bank.value(now, devices)
    dw = bank.dw[devices].copy()
    draws = np.random.default_rng(9)
    step_normals, nu_normals = draws.standard_normal(3), draws.standard_normal(3)
    bank.rng = np.random.default_rng(9)
    bank.set_pulse(devices, now)
    step = mean_step(before, 1.0, spec.gamma) * dw * (1 + spec.dw_min_std * step_normals)
    after = np.minimum(before + step, 1.0)
    np.testing.assert_allclose(bank.u[devices], after, rtol=1e-12)
    np.testing.assert_allclose(bank.q[devices], read_noise_q(after), rtol=1e-12)
    nu = drift_exponents(after, nu_normals)
    np.testing.assert_allclose(bank.nu[devices], nu, rtol=1e-12)
    assert np.all(bank.t_prog[devices] == now)


def test_large_and_small_batches_of_set_pulses_agree():
    """The compiled loop (small batches) and vectorised numpy (large ones) are one model."""
    import neurochip.devices.pcm as pcm
    from neurochip.description.devices import PCMPairSpec

    results = []
    for compiled_below in (10**9, 0):
        bank = pcm.PCMDevices(3000, PCMPairSpec(refresh=None), np.random.default_rng(4))
        bank.u[:] = np.random.default_rng(5).uniform(0, 0.9, 3000)
        old, pcm._COMPILED_BELOW = pcm._COMPILED_BELOW, compiled_below
        try:
            bank.set_pulse(np.arange(0, 3000, 2), 50.0)
        finally:
            pcm._COMPILED_BELOW = old
        results.append((bank.u.copy(), bank.nu.copy(), bank.q.copy()))
    for compiled, vectorised in zip(*results):
        np.testing.assert_allclose(compiled, vectorised, rtol=1e-12)
