"""Mechanics of the spiking-RBM mode: clamping, scheduled inputs, phase signs. (Learning itself: issue 5.)"""

import dataclasses

import numpy as np
import pytest

from conftest import lif, one_core_chip
from neurochip.description.learning import LearningSpec
from neurochip.learning.rbm import RBMParams, SpikingRBM


def test_clamped_neurons_never_fire(simulate):
    chip = one_core_chip(rows=1, cols=3, col_neurons=lif(refractory="0 ms"))
    sim = simulate(chip, {"weights": {"c": {"constant": 2.0}},
                          "inputs": [{"kind": "spike-times", "name": "x", "to": "c.rows", "size": 1,
                                      "times": ["1 ms", "2 ms"], "neurons": [0, 0]}]})
    sim.chip.cores["c"].neurons["cols"].set_enabled(np.array([True, False, True]))
    sim.run()
    assert sorted({n for _, n in sim.spikes("c", "cols")}) == [0, 2]


def rbm_sim(simulate, label_pulses: float = 1.0, pulse_rate: float = 1.0, input_train: str = "dead-time"):
    chip = one_core_chip(rows=8 + 2 * 1 + 1, cols=4 + 1, row_neurons=lif(tau="1 ms", refractory="4 ms"),
                         col_neurons=lif(tau="1 ms", refractory="4 ms"))
    chip["cores"][0]["controller"] = {"window": "4 ms"}
    chip["cores"][0]["noise"] = {"kind": "random-walk", "step": 0.3, "period": "100 us"}  # a free-running model phase
    sim = simulate(chip, {"duration": "1 s", "weights": {"c": {"constant": 0.6}}})
    params = RBMParams(labels_per_class=1, hidden=4, visible_bias=1, hidden_bias=1,
                       transition=2e-3, data=10e-3, model=10e-3, readout=10e-3, rate_on=200.0,
                       label_pulses=label_pulses, pulse_rate=pulse_rate, input_train=input_train)
    rbm = SpikingRBM(sim.chip.cores["c"], sim.engine, sim.chip.router, classes=2, pixels=8,
                     params=params, rng=np.random.default_rng(0))
    return sim, rbm


def test_a_training_sample_runs_transition_data_transition_model_with_the_right_signs(simulate):
    sim, rbm = rbm_sim(simulate)
    seen = []
    original = rbm._run_phase

    def spy(name, sign, clamp_rows, row_lines, duration):
        seen.append((name, sign, None if clamp_rows is None else len(clamp_rows), sim.engine.now))
        original(name, sign, clamp_rows, row_lines, duration)
        if name == "data":  # the clamped visible neurons stayed silent; data drove their lines
            rows = sim.chip.cores["c"].neurons["rows"]
            assert not rows.enabled[:10].any()
    rbm._run_phase = spy
    image = np.array([1.0, 0, 1, 0, 1, 0, 1, 0])
    rbm.train_sample(image, label=1)
    assert [(n, s, c) for n, s, c, _ in seen] == [("transition", 0, 10), ("data", 1, 10),
                                                  ("transition", 0, None), ("model", -1, None)]
    assert [t for *_, t in seen] == [0, 2000, 12000, 14000]
    driven = [ids for s, side, t, ids in sim.log if s.endswith("visible-input") and 2000 < t <= 12000]
    lines = np.unique(np.concatenate(driven))
    assert set(lines.tolist()) <= {0, 2, 4, 6, 9, 10} and {0, 9, 10} <= set(lines.tolist())  # on pixels, label 1, bias
    # pulses in both phases: SETs up in the data phase, down in the model phase
    assert sim.ledger.count("c", "up_pulse") > 0 and sim.ledger.count("c", "down_pulse") > 0


def test_classification_counts_label_neuron_spikes(simulate):
    sim, rbm = rbm_sim(simulate)
    prediction, counts = rbm.classify_sample(np.zeros(8))
    assert counts.shape == (2,) and prediction in (-1, 0, 1)
    assert prediction == (int(np.argmax(counts)) if counts.any() else -1)


def test_free_energy_read_out_finds_the_class_the_weights_encode(simulate):
    sim, rbm = rbm_sim(simulate)
    # hidden unit c listens to class c's label neuron and to pixel block c: an RBM that "knows" two patterns
    weights = np.zeros((11, 5))
    patterns = [np.r_[np.ones(4), np.zeros(4)], np.r_[np.zeros(4), np.ones(4)]]
    for c, pattern in enumerate(patterns):
        weights[:8, c] = 2 * pattern - 1
        weights[8 + c, c] = 2.0
    sim.chip.cores["c"].crossbar.program(weights, 0.0)
    predictions = rbm.free_energy_predictions(np.array(patterns), scale=2.0)
    assert predictions.tolist() == [0, 1]


def test_label_pulses_gate_only_the_label_rows(simulate):
    """Rows 0-7 pixels, 8-9 labels, 10 the bias row. At label_pulses 0.05 the label rows'
    share of the pulses (against the pixel rows') is 0.05 of its share with every pulse;
    pixel and bias rows are not gated. Seed 0: about 250 label pulses at 1, so the gated
    count is Bin(~250, 0.05), 12 +- 3.5, and the bound below is 4 standard deviations."""
    per_row = {}
    for fraction in (1.0, 0.05):
        sim, rbm = rbm_sim(simulate, label_pulses=fraction)
        counts = np.zeros(11, int)
        original = sim.chip.cores["c"].crossbar.pulse

        def count(cells, signs, now):
            np.add.at(counts, np.asarray(cells) // 5, 1)
            original(cells, signs, now)

        sim.chip.cores["c"].crossbar.pulse = count
        for _ in range(20):
            rbm.train_sample(np.ones((2, 4)), 0)  # every pixel and label 0 on in the data phase
        per_row[fraction] = counts
    share = {f: c[8:10].sum() / c[:8].sum() for f, c in per_row.items()}
    assert per_row[1.0][8:10].sum() > 200  # enough pairings on the label rows for the fraction to show
    assert 0 < share[0.05] / share[1.0] < 0.05 + 4 * np.sqrt(0.05 * 0.95 / per_row[1.0][8:10].sum())
    assert per_row[0.05][10] > 0.5 * per_row[1.0][10]  # the bias row keeps its pulses


def test_scale_pulses_gates_every_row_and_the_label_rows_by_both_rates(simulate):
    """The gate the controller draws against: ``rate`` on pixel and bias rows, ``rate`` x
    label_pulses on label rows (8-9); at rate 1 with every label pulse, no gate at all."""
    sim, rbm = rbm_sim(simulate, label_pulses=0.5)
    controller = sim.chip.cores["c"].controller
    np.testing.assert_array_equal(controller._gate, [1.0] * 8 + [0.5, 0.5, 1.0])
    rbm.scale_pulses(0.25)
    np.testing.assert_array_equal(controller._gate, [0.25] * 8 + [0.125, 0.125, 0.25])
    sim, rbm = rbm_sim(simulate)
    controller = sim.chip.cores["c"].controller
    assert controller._gate is None
    rbm.scale_pulses(0.5)
    assert controller._gate.tolist() == [0.5] * 11
    rbm.scale_pulses(1.0)
    assert controller._gate is None


def test_pulse_rate_gates_every_row_under_the_pass_rate(simulate):
    """pulse_rate 0.25 with label_pulses 0.5: 0.25 on pixel and bias rows, 0.125 on the label
    rows (8-9) from the start; a pass at rate 0.5 halves both."""
    sim, rbm = rbm_sim(simulate, label_pulses=0.5, pulse_rate=0.25)
    controller = sim.chip.cores["c"].controller
    np.testing.assert_array_equal(controller._gate, [0.25] * 8 + [0.125, 0.125, 0.25])
    rbm.scale_pulses(0.5)
    np.testing.assert_array_equal(controller._gate, [0.125] * 8 + [0.0625, 0.0625, 0.125])


def test_unset_rates_keep_the_chip_simulators_p_on_at_the_cores_refractory_period():
    # 200 Hz and 70.8 Hz at the chip simulator's 4 ms (P(on) 0.8 and 0.283) become 800 and 283.2 Hz at 1 ms
    spec = LearningSpec.model_validate({"mode": "spiking-rbm", "core": "c", "data": {"set": "digits"}})
    for refractory, rate_on, rate_bias in ((4e-3, 200.0, 70.8), (1e-3, 800.0, 283.2)):
        params = RBMParams.from_spec(spec, refractory)
        assert (params.rate_on, params.rate_bias) == (pytest.approx(rate_on), pytest.approx(rate_bias))
    given = LearningSpec.model_validate({"mode": "spiking-rbm", "core": "c", "data": {"set": "digits"},
                                         "rate_on": "300 Hz", "bias": {"rate": "50 Hz"}})
    assert (RBMParams.from_spec(given, 1e-3).rate_on, RBMParams.from_spec(given, 1e-3).rate_bias) == (300.0, 50.0)


def test_free_pixels_read_as_intensities_on_the_input_code(simulate, monkeypatch):
    # rate_on 200 Hz at a 4 ms refractory period: a full pixel's dead-time line is 'on' 0.8 of the
    # time, so a free pixel at P(on) 0.4 is half a pixel, and 0.8 or more a full one
    sim, rbm = rbm_sim(simulate)
    assert rbm.on_level() == pytest.approx(0.8)
    np.testing.assert_allclose(rbm.intensity(np.array([0.0, 0.2, 0.4, 0.8, 1.0])), [0, 0.25, 0.5, 1, 1])
    p_on = np.linspace(0, 1, 11)  # one per row: 8 pixels, 2 labels, 1 bias
    monkeypatch.setattr(rbm, "read", lambda *args: p_on)
    known = np.array([True] * 4 + [False] * 4)
    np.testing.assert_allclose(rbm.reconstruct_sample(np.ones(8), known, 0.1), rbm.intensity(p_on[:8]))
    np.testing.assert_allclose(rbm.generate(0, 0.1, (8,)), [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875])


def test_restarted_reconstruction_averages_fresh_chains(simulate, monkeypatch):
    """restarts 4: four reads of a quarter of the duration, each after a transition with every
    visible unit (8 pixels, 2 labels) clamped silent, averaged."""
    sim, rbm = rbm_sim(simulate)
    calls, reads = [], iter(np.linspace(0, 1, 44).reshape(4, 11))
    monkeypatch.setattr(rbm, "_run_phase", lambda name, sign, clamp, lines, duration:
                        calls.append((name, clamp.tolist(), lines.size, duration)))
    monkeypatch.setattr(rbm, "read", lambda use, clamp, lines, duration:
                        calls.append((use, clamp.tolist(), lines.tolist(), duration)) or next(reads))
    known = np.array([True] * 4 + [False] * 4)
    image = np.array([1, 0, 1, 0, 1, 1, 1, 1.0])
    out = rbm.reconstruct_sample(image, known, 0.2, restarts=4)
    silent = ("transition", list(range(10)), 0, rbm.params.transition)
    assert calls == [silent, ("reconstruction", [0, 1, 2, 3], [0, 2], 0.05)] * 4
    np.testing.assert_allclose(out, rbm.intensity(np.linspace(0, 1, 44).reshape(4, 11).mean(axis=0)[:8]))


def test_a_split_read_out_sums_label_spikes_over_fresh_chains(simulate, monkeypatch):
    """readout_restarts 2: the 10 ms read-out runs as two 5 ms chains with the pixels clamped, each
    after a silent transition; the class whose label rows (8, 9) were on most over both wins."""
    sim, rbm = rbm_sim(simulate)
    monkeypatch.setattr(rbm, "params", dataclasses.replace(rbm.params, readout_restarts=2))
    calls = []
    reads = iter([np.r_[np.zeros(8), 0.6, 0.0, 0.3], np.r_[np.zeros(8), 0.0, 0.8, 0.3]])
    monkeypatch.setattr(rbm, "_run_phase", lambda name, sign, clamp, lines, duration:
                        calls.append((name, clamp.tolist(), lines.size, duration)))
    monkeypatch.setattr(rbm, "read", lambda use, clamp, lines, duration:
                        calls.append((use, clamp.tolist(), lines.tolist(), duration)) or next(reads))
    prediction, counts = rbm.classify_sample(np.array([1, 0, 1, 0, 0, 0, 0, 1.0]))
    silent = ("transition", list(range(10)), 0, rbm.params.transition)
    assert calls == [silent, ("inference", list(range(8)), [0, 2, 7], 0.005)] * 2
    np.testing.assert_allclose(counts, [0.3, 0.4])
    assert prediction == 1


def test_a_poisson_line_is_on_less_often_than_its_rate_says(simulate):
    """A Poisson line at 200 Hz has spiked within the last 4 ms with probability 1 - exp(-0.8)."""
    sim, rbm = rbm_sim(simulate, input_train="poisson")
    assert rbm.on_level() == pytest.approx(1 - np.exp(-0.8))
    assert rbm.intensity(np.array([0.2753])) == pytest.approx(0.5, abs=1e-4)
    # measured on a 100 s train (about 20,000 spikes): the fraction of moments with a spike in the 4 ms before
    stop = sim.engine.ticks(100.0)
    ticks, _ = rbm._trains(np.array([0]), 200.0, 0, stop)
    spikes = np.sort(ticks)
    moments = np.random.default_rng(1).integers(sim.engine.ticks(4e-3), stop, 100_000)
    last = spikes[np.maximum(np.searchsorted(spikes, moments, side="right") - 1, 0)]
    on = (last <= moments) & (moments - last < sim.engine.ticks(4e-3))
    assert on.mean() == pytest.approx(rbm.on_level(), abs=0.006)  # about 2 standard errors
