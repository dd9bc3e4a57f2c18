"""Noise circuits: LFSR period, random-walk variance, 1/f spectrum, ledger counts."""

import math

import numpy as np
import pytest

from conftest import lif, one_core_chip
from neurochip.circuits.noise import LFSRBank, PinkNoise, RandomWalk, lfsr_cycle
from neurochip.description.chip import PinkNoiseSpec, RandomWalkSpec


@pytest.mark.parametrize("bits", [8, 16])
def test_lfsr_has_maximal_period(bits):
    outputs, positions = lfsr_cycle(bits)
    # the register visits every non-zero state once per cycle: 2^bits - 1 states
    assert outputs.size == 2**bits - 1 and len(set(positions[1:].tolist())) == 2**bits - 1
    assert abs(int(outputs.sum()) - 2 ** (bits - 1)) == 0  # an m-sequence has one more 1 than 0s


def test_lfsr_bank_matches_registers_shifted_one_by_one():
    bank = LFSRBank(50, 16, np.random.default_rng(0))
    state = bank.state.copy()
    for _ in range(3000):
        out = state & 1
        state = (state >> 1) ^ np.where(out == 1, 0xB400, 0)
        np.testing.assert_array_equal(bank.step(), out)
    np.testing.assert_array_equal(bank.state, state)


def test_random_walk_variance_grows_linearly_with_steps():
    walk = RandomWalk(RandomWalkSpec(kind="random-walk", step=0.06), 20_000, np.random.default_rng(1))
    position = np.zeros(20_000)
    for n in range(1, 801):
        position += walk.kicks()
        if n in (50, 200, 800):
            # variance n step^2; its estimate over 20,000 walks has relative std sqrt(2 / 20,000) = 1 %
            assert position.var() == pytest.approx(n * 0.06**2, rel=0.05)
            assert abs(position.mean()) < 5 * math.sqrt(n) * 0.06 / math.sqrt(20_000)


def test_random_walk_on_a_core_diffuses_the_membranes_and_counts_its_steps(simulate):
    neurons = lif(tau="1000 s", v_th=1e9, refractory="0 ms")
    chip = one_core_chip(rows=1, cols=2000, col_neurons=neurons)
    chip["cores"][0]["noise"] = {"kind": "random-walk", "step": 0.06, "period": "10 us"}
    sim = simulate(chip, {"duration": "2 ms"}).run()
    v = sim.chip.cores["c"].neurons["cols"].potential_at(2000)
    periods = 200  # 2 ms / 10 us
    assert v.var() == pytest.approx(periods * 0.06**2 * math.exp(-2 * 2e-3 / 1000), rel=0.1)
    assert sim.ledger.count("c", "noise_step") == periods * 2000


def psd_slope(series: np.ndarray, dt: float, band: tuple[float, float], segment: int) -> float:
    """Slope of log PSD against log f over ``band``, from segment-averaged periodograms."""
    pieces = series[: len(series) // segment * segment].reshape(-1, segment)
    window = np.hanning(segment)
    power = np.mean(np.abs(np.fft.rfft((pieces - pieces.mean(axis=1, keepdims=True)) * window, axis=1)) ** 2, axis=0)
    freqs = np.fft.rfftfreq(segment, dt)
    chosen = (freqs >= band[0]) & (freqs <= band[1])
    return np.polyfit(np.log10(freqs[chosen]), np.log10(power[chosen]), 1)[0]


def test_pink_noise_spectrum_has_slope_minus_one_over_two_decades():
    spec = PinkNoiseSpec(kind="pink", sigma=0.03, f_min="1 Hz", f_max="10 kHz")
    cells = 16
    noise = PinkNoise(spec, cells, np.random.default_rng(2))
    dt = 25e-6
    idx = np.arange(cells)
    series = np.array([noise.sample(k * dt, idx) for k in range(1 << 17)])
    assert series.var() == pytest.approx(1.0, rel=0.35)  # unit variance (slow parts converge slowly)
    slopes = [psd_slope(series[:, c], dt, (10.0, 1000.0), 1 << 14) for c in range(cells)]
    assert np.mean(slopes) == pytest.approx(-1.0, abs=0.1)


def test_pink_noise_is_advanced_exactly_however_rarely_read():
    # a cell read once after a long gap is a fresh draw: unit variance, uncorrelated with its start
    spec = PinkNoiseSpec(kind="pink", sigma=0.03, f_min="10 Hz", f_max="1 kHz")
    noise = PinkNoise(spec, 50_000, np.random.default_rng(3))
    idx = np.arange(50_000)
    start = noise.sample(0.0, idx)
    later = noise.sample(10.0, idx)
    assert later.var() == pytest.approx(1.0, rel=0.03)
    assert abs(np.corrcoef(start, later)[0, 1]) < 0.02
    soon = noise.sample(10.0 + 1e-6, idx)
    assert np.corrcoef(later, soon)[0, 1] > 0.9


def test_pink_read_noise_scatters_synaptic_input(simulate):
    chip = one_core_chip(rows=1, cols=5000, col_neurons=lif(tau="1000 s", v_th=1e9))
    chip["cores"][0]["noise"] = {"kind": "pink", "sigma": 0.05}
    sim = simulate(chip, {"weights": {"c": {"constant": 0.5}},
                          "inputs": [{"kind": "spike-times", "name": "x", "to": "c.rows", "size": 1,
                                      "times": ["1 ms"], "neurons": [0]}]}).run()
    v = sim.chip.cores["c"].neurons["cols"].potential_at(1001)
    assert v.mean() == pytest.approx(0.5, abs=4 * 0.025 / math.sqrt(5000))
    assert v.std() == pytest.approx(0.5 * 0.05, rel=0.05)


def test_noise_clock_can_be_gated_off_and_on(write, tmp_path):
    from neurochip.description import load_scenario
    from neurochip.runner import run_scenario

    chip = one_core_chip(rows=1, cols=10, col_neurons=lif())
    chip["cores"][0]["noise"] = {"kind": "random-walk", "step": 0.06, "period": "10 us"}
    write("chip.yaml", chip)
    scenario = {"name": "gated", "chip": "chip.yaml", "duration": "1 h",
                "actions": [{"at": "1 ms", "core": "c", "noise": False},
                            {"at": "3599 s", "core": "c", "noise": True}]}
    result = run_scenario(load_scenario(write("s.yaml", scenario)), tmp_path, progress=False)
    # on for 1 ms (ticks 10..1000: 100 periods, the one at 1 ms included) and for the last second
    # (from 3599 s + 10 us to 3600 s: 100,000 periods)
    assert result.ledger.count("c", "noise_step") == 10 * (100 + 100_000)
    assert result.wall_time < 60
