"""The Brian2 cross-check passes for the shipped chips and fails for a wrong model; transfer curves are sigmoids."""

import numpy as np
import pytest

from conftest import REPO
from neurochip.cli import main
from neurochip.description import load_chip
from neurochip.description.chip import PinkNoiseSpec, RandomWalkSpec
from neurochip.transfer import clock_for, measure
from neurochip.validation import check_lif, validate


@pytest.fixture(scope="module")
def rbm_chip():
    return load_chip(REPO / "chips" / "ishii2019-6t2r-rbm.yaml")[0]


def test_validate_passes_for_the_tiny_chip_with_exit_status_0(tmp_path, capsys):
    assert main(["validate", str(REPO / "chips" / "tiny.yaml"), "--out", str(tmp_path / "v.png")]) == 0
    out = capsys.readouterr().out
    assert "6 of 6 checks passed" in out and (tmp_path / "v.png").read_bytes()[:4] == b"\x89PNG"
    # input-driven spikes agree exactly once the schedules are aligned
    assert out.count("max time difference 0 step(s)") == 6


def test_validate_passes_for_the_rbm_chip_with_its_random_walk(rbm_chip):
    checks = validate(rbm_chip, quick=True)
    assert [c.passed for c in checks] == [True] * 4, [c.detail for c in checks]
    assert "random walk" in checks[-1].name


def test_validation_fails_for_a_deliberately_wrong_model(rbm_chip):
    core = rbm_chip.cores[0]
    lif = core.neurons.cols
    wrong = lif.model_copy(update={"tau": lif.tau * 1.05})  # neurochip 5 % off, Brian2 right
    assert not check_lif(core, lif, rbm_chip.clock.tick, "wrong", neurochip_lif=wrong).passed
    assert check_lif(core, lif, rbm_chip.clock.tick, "right").passed


def test_random_walk_transfer_curve_is_a_sigmoid(rbm_chip):
    core = rbm_chip.cores[0]
    curve = measure(core, rbm_chip.clock.tick, np.linspace(-0.8, 1.6, 13), duration=0.5, seed=1)
    assert curve.p_on[0] < 0.05 and curve.p_on[-1] > 0.9
    assert curve.misfit < 0.1  # a logistic describes it within the sampling noise of 0.5 s
    assert 0.1 < curve.width < 0.5  # the walk spreads the membrane by ~0.4: a broad sigmoid, not a step


def test_a_circuit_is_measured_on_a_clock_that_honours_its_period():
    # `neurochip transfer --compare` measures the default 10 us walk beside a 100 us chip's own circuit
    walk = RandomWalkSpec(kind="random-walk", period="10 us")
    assert clock_for(walk, 100e-6) == pytest.approx(10e-6)
    assert clock_for(walk, 1e-6) == 1e-6 and clock_for(walk, 10e-6) == 10e-6
    assert clock_for(RandomWalkSpec(kind="random-walk", period="150 us"), 100e-6) == pytest.approx(75e-6)
    assert clock_for(None, 100e-6) == clock_for(PinkNoiseSpec(kind="pink"), 100e-6) == 100e-6


def test_pink_noise_transfer_curve_is_a_sigmoid_and_no_noise_is_a_step(rbm_chip):
    core = rbm_chip.cores[0]
    drives = np.linspace(0.85, 1.15, 13)
    pink = measure(core, rbm_chip.clock.tick, drives, 1.0, drive="synaptic", seed=2,
                   noise=PinkNoiseSpec(kind="pink", sigma=0.05))
    silent = measure(core, rbm_chip.clock.tick, drives, 1.0, drive="synaptic", seed=2, noise=None)
    assert pink.misfit < 0.15 and pink.p_on[0] < 0.05 and pink.p_on[-1] > 0.9
    # 5 % read noise on a mean input near 1 spreads the threshold over a few hundredths
    assert 0.005 < pink.width < 0.05
    assert np.count_nonzero((silent.p_on > 0.05) & (silent.p_on < 0.9)) <= 1  # deterministic: a step


def test_current_synapses_agree_with_brian2_exactly(tmp_path):
    # a fast membrane behind 0.7 ms current synapses on a 100 us clock: with no input gated by
    # refractoriness, spikes and membranes match Brian2's to rounding, constant drive included
    chip_file = tmp_path / "chip.yaml"
    chip_file.write_text(
        "name: current\nclock: {tick: 100 us}\nrouter: {latency: 100 ns}\ncores:\n"
        "  - name: c\n    array: {rows: 4, cols: 4}\n"
        "    neurons:\n      cols: {tau: 0.15 ms, v_th: 1.0, v_reset: 0, refractory: 1 ms, tau_syn: 0.7 ms}\n"
        "    noise: {kind: random-walk, step: 0.3, period: 100 us, lfsr_bits: 16}\n")
    chip = load_chip(chip_file)[0]
    lif_checks = [c for c in validate(chip, quick=True) if c.name.startswith("LIF")]
    assert [c.passed for c in lif_checks] == [True] * 3, [c.detail for c in lif_checks]
    for check in lif_checks:
        assert "max time difference 0 step(s)" in check.detail and "periods within 0 step(s)" in check.detail
        error = np.abs(check.curves["lif"]["v_ours"] - check.curves["lif"]["v_brian2"])
        assert error.max() < 1e-12
    core = chip.cores[0]
    slow_synapse = core.neurons.cols.model_copy(update={"tau_syn": 0.75e-3})  # neurochip 7 % off, Brian2 right
    assert not check_lif(core, core.neurons.cols, chip.clock.tick, "wrong", neurochip_lif=slow_synapse).passed
