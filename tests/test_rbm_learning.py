"""The spiking RBM learning: a short training run on a fixed seed, the shipped learning
scenarios at reduced size, the read-outs, and the MNIST folder loader in a learning run."""


import numpy as np
import pytest
import yaml

from conftest import REPO, reduced, run_then_ctrl_c, write_idx
from neurochip.cli import main
from neurochip.description import load_scenario
from neurochip.description.learning import RandomOcclusion
from neurochip.learning.session import confusion_matrix, nearest_neighbours_completion, occluded_mask, occlusion_masks
from neurochip.runner import run_scenario
from neurochip.traces import Trace

LEARNING_SCENARIOS = sorted(p for p in (REPO / "scenarios").glob("*.yaml") if "learning:" in p.read_text())


def test_there_are_learning_scenarios():
    names = {p.stem for p in LEARNING_SCENARIOS}
    assert {"quickstart", "rbm-paper-100", "rbm-bars-and-stripes", "rbm-reconstruction"} <= names


@pytest.mark.parametrize("source", LEARNING_SCENARIOS, ids=lambda p: p.stem)
def test_learning_scenarios_run_at_reduced_size(source, tmp_path):
    is_bars = "bars" in source.stem
    path = reduced(source, tmp_path, **({} if is_bars else {"train": 4, "test": 3, "balanced": False}))
    setup = load_scenario(path)
    result = run_scenario(setup, tmp_path / "runs", progress=False)
    assert result.status == "complete"
    learned = result.learning
    assert learned.samples_seen == len(setup.datasets[0])
    with Trace(result.path) as trace:
        record = trace.learning()
    assert record["attrs"]["samples_seen"] == learned.samples_seen
    assert record["result_attrs"]["test_accuracy"] == pytest.approx(learned.test_accuracy)
    confusion = record["results"]["confusion"]
    assert confusion.sum() == np.count_nonzero(record["results"]["predictions"] >= 0)
    assert record["results"]["weights"].shape == tuple(setup.chip.core(setup.scenario.learning.core).size(s)
                                                       for s in ("rows", "cols"))
    # the run's stages reach the ledger: the energy report prices them per phase
    stages = {stage for _, _, stage, _ in trace_ledger(result.path)}
    assert {"data", "model", "transition", "inference"} <= stages


def trace_ledger(path):
    with Trace(path) as trace:
        return trace.ledger()


def test_cli_run_prints_the_figures_and_writes_the_pictures(tmp_path):
    path = reduced(REPO / "scenarios" / "quickstart.yaml", tmp_path, train=3, test=2)
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    written = {p.name for p in (tmp_path / "runs").glob("*.png")}
    for what in ("learning-curve", "receptive-fields", "reconstructions", "generated", "confusion"):
        assert f"quickstart-seed1-{what}.png" in written


def test_helpers_occlusion_and_confusion():
    rows, cols = np.indices((4, 6))  # not square: a half cut along the wrong axis fails
    expected = {"bottom": rows >= 2, "top": rows < 2, "left": cols < 3, "right": cols >= 3}
    for half, hidden in expected.items():
        np.testing.assert_array_equal(occluded_mask((4, 6), half), hidden, err_msg=half)
    matrix = confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 2, 1, -1]), 3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 0]]


def test_the_neighbours_reference_completes_from_the_closest_training_images():
    # 2 x 2 images, bottom row hidden; the test image's top row [1, 0] is closest to training
    # images 0 and 1 (distance 0), then 2 (distance 1); image 3 is two pixels away
    train = np.array([[[1, 0], [1, 1]], [[1, 0], [0, 1]], [[1, 1], [0, 0]], [[0, 1], [1, 0]]], float)
    test = np.array([[[1, 0], [0, 0]]], float)
    hidden = occluded_mask((2, 2), "bottom")
    np.testing.assert_allclose(nearest_neighbours_completion(train, test, hidden, k=2)[:, hidden], [[0.5, 1.0]])
    np.testing.assert_allclose(nearest_neighbours_completion(train, test, hidden, k=3)[:, hidden], [[1 / 3, 2 / 3]])
    # grey levels are binarised at 0.5 first, as the RBM sees them
    np.testing.assert_allclose(nearest_neighbours_completion(train * 0.6, test * 0.7, hidden, k=2)[:, hidden],
                               [[0.5, 1.0]])
    # one mask per image: the same test image with its right column hidden instead is closest, on
    # the left column [1, 0], to training images 0 and 2, then to 1 (distance 1)
    right = occluded_mask((2, 2), "right")
    both = nearest_neighbours_completion(train, np.concatenate([test, test]), np.stack([hidden, right]), k=2)
    np.testing.assert_allclose(both[0][hidden], [0.5, 1.0])
    np.testing.assert_allclose(both[1][right], [0.5, 0.5])


def test_random_occlusion_hides_that_fraction_of_each_image_anew():
    masks = occlusion_masks((8, 8), RandomOcclusion(random=0.3), 50)
    assert masks.shape == (50, 8, 8)
    assert (masks.sum(axis=(1, 2)) == 19).all()  # round(0.3 x 64)
    assert len({m.tobytes() for m in masks}) == 50
    # the masks are the test set's, from their own seed: the first images' do not depend on the count
    np.testing.assert_array_equal(masks[:3], occlusion_masks((8, 8), RandomOcclusion(random=0.3), 3))
    assert (masks != occlusion_masks((8, 8), RandomOcclusion(random=0.3, seed=1), 50)).any()
    # every pixel is hidden 30 % of the time: over 4,000 images the binomial sd is 0.007
    many = occlusion_masks((8, 8), RandomOcclusion(random=0.3, seed=2), 4000)
    assert abs(many.mean(axis=0) - 19 / 64).max() < 0.03
    # at least one pixel hidden and one known, however small or large the fraction
    for fraction, hidden in ((0.01, 1), (0.99, 3)):
        masks = occlusion_masks((2, 2), RandomOcclusion(random=fraction), 3)
        assert masks.sum(axis=(1, 2)).tolist() == [hidden] * 3
    halves = occlusion_masks((4, 4), "top", 2)
    assert halves[:, :2].all() and not halves[:, 2:].any()


def test_a_random_occlusion_run_scores_the_pixels_it_hid(tmp_path):
    path = reduced(REPO / "scenarios" / "quickstart.yaml", tmp_path, train=3, test=4)
    scenario = yaml.safe_load(path.read_text())
    scenario["learning"]["reconstruct"].update(occlude={"random": 0.25}, count=4)
    path.write_text(yaml.safe_dump(scenario))
    setup = load_scenario(path)
    result = run_scenario(setup, tmp_path / "runs", progress=False)
    with Trace(result.path) as trace:
        record = trace.learning()
    results, figures = record["results"], record["result_attrs"]
    hidden, originals, read = results["occluded"], results["originals"], results["reconstructions"]
    assert hidden.shape == (4, 8, 8) and (hidden.sum(axis=(1, 2)) == 16).all()
    np.testing.assert_array_equal(read[~hidden], originals[~hidden])  # the known pixels are the image's
    assert figures["reconstruction_error"] == pytest.approx(np.mean((read[hidden] - originals[hidden]) ** 2))
    mean_image = (setup.datasets[0].images >= 0.5).mean(axis=0)
    assert figures["mean_image_error"] == pytest.approx(
        np.mean((np.broadcast_to(mean_image, hidden.shape)[hidden] - originals[hidden]) ** 2))


def test_learning_on_a_users_mnist_folder(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for stem, n in (("train", 6), ("t10k", 3)):
        images = rng.integers(0, 256, (n, 4, 4), dtype=np.uint8)
        write_idx(folder / f"{stem}-images-idx3-ubyte.gz", images, 0x08)
        write_idx(folder / f"{stem}-labels-idx1-ubyte", np.arange(n, dtype=np.uint8) % 2, 0x08)
    chip = yaml.safe_load((REPO / "chips" / "digits-rbm-ideal.yaml").read_text())
    chip["cores"][0]["array"] = {"rows": 16 + 2 * 2 + 2, "cols": 6 + 2}
    (tmp_path / "chip.yaml").write_text(yaml.safe_dump(chip))
    scenario = {"name": "mnist-small", "chip": "chip.yaml", "seed": 2,
                "learning": {"mode": "spiking-rbm", "core": "rbm", "hidden": 6, "labels_per_class": 2,
                             "bias": {"visible": 2, "hidden": 2}, "data": {"set": "mnist", "path": "mnist"},
                             "phases": {"transition": "2 ms", "data": "5 ms", "model": "5 ms"},
                             "readout": "5 ms"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario))
    setup = load_scenario(tmp_path / "s.yaml")
    assert [len(d) for d in setup.datasets] == [6, 3]
    result = run_scenario(setup, tmp_path / "runs", progress=False)
    assert result.status == "complete" and result.learning.samples_seen == 6


@pytest.mark.parametrize("change, message", [
    ({"learning": {"data": {"set": "mnist", "path": "nowhere"}}}, "learning.data: "),
    ({"learning": {"core": "b"}}, "learning.core: core 'b' needs neurons on its rows"),
    ({"learning": {"hidden": 500}}, "learning: the RBM needs 508 cols"),
    ({"learning": {"data": {"train": 5000}}}, "5000 train images asked for"),
    ({"duration": "1 s"}, "give one of 'duration'"),
    ({"learning": {"reconstruct": {"occlude": {"random": 1.5}}}}, "learning.reconstruct.occlude.random: must be less than 1"),
    ({"learning": {"reconstruct": {"occlude": "middle"}}}, "learning.reconstruct.occlude: expected bottom, top, left, right or {random: fraction}, got 'middle'"),
    # a dead-time line is silent for the 1 ms refractory period after each spike: at most 1 kHz
    ({"learning": {"input_train": "dead-time", "rate_on": "1 kHz"}},
     "learning.rate_on: 1000 Hz with input_train: dead-time on core 'rbm', whose row (visible) neurons have a "
     "1 ms refractory period: expected below 1000 Hz"),
    ({"learning": {"input_train": "dead-time", "bias": {"rate": "1.5 kHz"}}}, "learning.bias.rate: 1500 Hz"),
    # the quickstart's chip ticks every 100 us: a shorter phase or chain would run for no tick at all
    ({"learning": {"phases": {"model": "20 us"}}},
     "learning.phases.model: 0.02 ms is less than one tick of the chip's clock (100 us): expected at least 0.1 ms"),
    ({"learning": {"reconstruct": {"duration": "1 ms", "restarts": 20}}},
     "learning.reconstruct.duration: 1 ms split into 20 chains is less than one tick of the chip's clock (100 us) "
     "per chain: expected at least 2 ms"),
    # the quickstart tests 50 digits: more reconstructions than that would silently be fewer
    ({"learning": {"reconstruct": {"count": 51}}},
     "learning.reconstruct.count: 51 images asked for, the run tests 50 (learning.data.test): expected at most 50"),
    ({"learning": {"data": {"test": 0}}}, "learning.reconstruct: no test images to reconstruct: learning.data.test is 0"),
])
def test_bad_learning_blocks_are_reported_with_their_key_path(change, message, tmp_path, capsys):
    scenario = yaml.safe_load((REPO / "scenarios" / "quickstart.yaml").read_text())
    scenario["chip"] = str((REPO / "scenarios" / scenario["chip"]).resolve())
    if "learning" in change:
        learning = dict(scenario["learning"])
        for key, value in change["learning"].items():
            learning[key] = {**learning[key], **value} if isinstance(value, dict) and key in learning else value
        scenario["learning"] = learning
        if change["learning"].get("core") == "b":
            scenario["chip"] = str(REPO / "chips" / "tiny.yaml")
    else:
        scenario.update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(scenario))
    assert main(["run", str(path), "--out", str(tmp_path / "runs")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_a_run_without_test_images_trains_and_is_not_called_stopped(tmp_path, capsys):
    scenario = yaml.safe_load((REPO / "scenarios" / "quickstart.yaml").read_text())
    scenario["chip"] = str((REPO / "scenarios" / scenario["chip"]).resolve())
    scenario["learning"]["data"] = {"set": "digits", "train": 3, "test": 0}
    del scenario["learning"]["reconstruct"], scenario["learning"]["generate"]
    scenario["record"] = {"spikes": False}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario))
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "3 training samples of 3 images, 0 test images\n" in out and "stopped" not in out


def test_poisson_lines_may_run_faster_than_one_spike_per_refractory_period(tmp_path):
    scenario = yaml.safe_load((REPO / "scenarios" / "quickstart.yaml").read_text())
    scenario["chip"] = str((REPO / "scenarios" / scenario["chip"]).resolve())
    scenario["learning"].update(input_train="poisson", rate_on="1 kHz")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario))
    assert main(["check", str(tmp_path / "s.yaml")]) == 0


def test_an_rbm_core_without_a_refractory_period_is_refused(tmp_path, capsys):
    # P(on) = spikes x refractory period / time: at 0 ms no unit would ever count as 'on'
    chip = yaml.safe_load((REPO / "chips" / "digits-rbm-pcm.yaml").read_text())
    chip["cores"][0]["neurons"]["cols"]["refractory"] = "0 ms"
    (tmp_path / "chip.yaml").write_text(yaml.safe_dump(chip))
    scenario = yaml.safe_load((REPO / "scenarios" / "quickstart.yaml").read_text())
    scenario["chip"] = "chip.yaml"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(scenario))
    assert main(["run", str(tmp_path / "bad.yaml"), "--out", str(tmp_path / "runs")]) == 2
    assert "learning.core: core 'rbm' needs a refractory period > 0" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def short_digits_run(tmp_path, train: int, epochs: int):
    """The quickstart network on ideal synapses with a 4x larger step (0.002 per pulse, so that
    a short run learns) and every pulse passed to the label rows (at the 15 % of the long
    scenarios, 150 samples teach the labels too little to show): ``train`` digits,
    ``epochs`` passes, 100 test digits."""
    chip = yaml.safe_load((REPO / "chips" / "digits-rbm-ideal.yaml").read_text())
    chip["cores"][0]["device"]["dw"] = 0.002
    (tmp_path / "chip.yaml").write_text(yaml.safe_dump(chip))
    scenario = yaml.safe_load((REPO / "scenarios" / "quickstart.yaml").read_text())
    scenario["chip"] = "chip.yaml"
    learning = scenario["learning"]
    learning["data"] = {"set": "digits", "train": train, "balanced": True, "test": 100}
    learning["epochs"] = epochs
    learning["label_pulses"] = 1.0
    learning["readout"] = "200 ms"  # as measured for the margins below, whatever the quickstart reads for
    for key in ("reconstruct", "generate", "evaluate_every"):
        learning.pop(key, None)
    scenario["record"] = {"spikes": False}
    path = tmp_path / f"short-{epochs}.yaml"
    path.write_text(yaml.safe_dump(scenario))
    return run_scenario(load_scenario(path), tmp_path / "runs", progress=False).learning


# Measured on seed 1 (the 1 ms core, symmetric window): free energy 0.10 -> 0.63, spiking
# read-out 0.12 -> 0.57; the margins are about half of that, so the test fails when learning
# breaks, not when a draw is unlucky.
MARGIN_FREE_ENERGY = 0.25
MARGIN_SPIKING = 0.2


def test_a_short_training_run_beats_the_untrained_network(tmp_path):
    """Seed 1: 150 digits (15 per class) once; both read-outs on the same 100 test digits."""
    untrained = short_digits_run(tmp_path, 150, 0)
    trained = short_digits_run(tmp_path, 150, 1)
    assert trained.samples_seen == 150 and untrained.samples_seen == 0
    assert trained.free_energy_accuracy >= untrained.free_energy_accuracy + MARGIN_FREE_ENERGY
    assert trained.test_accuracy >= untrained.test_accuracy + MARGIN_SPIKING


def test_ctrl_c_stops_a_learning_run_between_samples_with_its_curve_kept(tmp_path):
    path = reduced(REPO / "scenarios" / "quickstart.yaml", tmp_path, train=1000, test=5)
    scenario = yaml.safe_load(path.read_text())
    scenario["learning"].update(evaluate_every=2, evaluate_on=1)
    scenario["record"]["flush_interval"] = "200 ms"
    path.write_text(yaml.safe_dump(scenario))
    out = tmp_path / "out"
    trace_file = out / "quickstart-seed1.h5"
    run = run_then_ctrl_c(path, out, trace_file.name, after=6.0)
    assert run.returncode == 130, run.stderr
    assert "Traceback" not in run.stderr and "stopped before the final tests" in run.stdout
    with Trace(trace_file) as trace:
        assert trace.status == "interrupted"
        record = trace.learning()
    seen = record["attrs"]["samples_seen"]
    assert 0 < seen < 1000
    assert list(record["curve"]["samples"]) == list(range(2, seen + 1, 2))  # every point written as it came
    assert record["result_attrs"] == {}  # no final tests ran
    assert record["results"]["weights"].shape == (112, 108)  # the weights learned so far are kept


def test_pulse_decay_scales_the_pulses_pass_by_pass(tmp_path, monkeypatch):
    """pulse_decay 0.5 over three passes: the controller's rate is 1, 0.5, 0.25 at each pass's start."""
    from neurochip.learning.rbm import SpikingRBM
    rates = []
    original = SpikingRBM.scale_pulses
    monkeypatch.setattr(SpikingRBM, "scale_pulses", lambda self, rate: (rates.append(rate), original(self, rate)))
    scenario = yaml.safe_load((REPO / "scenarios" / "quickstart.yaml").read_text())
    scenario["chip"] = str(REPO / "chips" / "digits-rbm-ideal.yaml")
    learning = scenario["learning"]
    learning.update(data={"set": "digits", "train": 2, "test": 1}, epochs=3, pulse_decay=0.5, label_pulses=1.0)
    for key in ("reconstruct", "generate", "evaluate_every"):
        learning.pop(key, None)
    scenario["record"] = {"spikes": False}
    path = tmp_path / "decay.yaml"
    path.write_text(yaml.safe_dump(scenario))
    assert run_scenario(load_scenario(path), tmp_path / "runs", progress=False).learning.samples_seen == 6
    assert rates == [1.0, 0.5, 0.25]  # (the first: building the RBM, for pass 0)


def test_the_curve_reads_for_evaluate_readout_and_the_final_test_for_readout(tmp_path):
    """Each curve point is stamped after its read-out: two points apart lie two training samples
    (transition, data, transition, model) and one evaluate_readout per evaluation image."""
    path = reduced(REPO / "scenarios" / "quickstart.yaml", tmp_path, train=6, test=2)
    scenario = yaml.safe_load(path.read_text())
    scenario["learning"].update(evaluate_every=2, evaluate_on=1, evaluate_readout="7 ms", readout="30 ms")
    scenario["learning"].pop("reconstruct")
    scenario["learning"].pop("generate")
    path.write_text(yaml.safe_dump(scenario))
    setup = load_scenario(path)
    phases = setup.scenario.learning.phases
    sample = 2 * phases.transition + phases.data + phases.model
    trace_file = run_scenario(setup, tmp_path / "runs", progress=False).path
    with Trace(trace_file) as trace:
        curve = trace.learning()["curve"]
    assert list(curve["samples"]) == [2, 4, 6]
    assert np.diff(curve["t"])[0] == pytest.approx(2 * sample + 7e-3, abs=1e-9)
    assert np.diff(curve["t"])[1] == pytest.approx(2 * sample + 2 * 30e-3, abs=1e-9)  # the final test: 2 images
