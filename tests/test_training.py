"""Rate-coded training on crossbar cores: tiles, the pulse scheme, Tiki-Taka's transfer,
soft-bounds drift, the shipped training scenarios at reduced size, and repeatability."""

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import REPO, reduced
from neurochip import compiled_random
from neurochip.analog.algorithms import layer_weights
from neurochip.analog.matrix import AnalogMatrix, Tile
from neurochip.chip import build_chip
from neurochip.cli import main
from neurochip.description import load_scenario
from neurochip.description.devices import SoftBoundsSpec
from neurochip.description.training import AlgorithmSpec, IOSpec, PulseUpdateSpec
from neurochip.devices.base import pulse_counts_one_by_one
from neurochip.devices.softbounds import SoftBoundsArray
from neurochip.kernel.engine import Engine
from neurochip.ledger import Ledger
from neurochip.randomness import Streams
from neurochip.runner import run_scenario
from neurochip.traces import Trace

EXACT = IOSpec(dac_bits=None, adc_bits=None, in_bound=1.0, out_bound=1e9, out_noise=0.0)
TRAINING_SCENARIOS = sorted(p for p in (REPO / "scenarios").glob("*.yaml") if "\ntraining:" in p.read_text())


def cores(tmp_path, device: dict, count: int = 3, rows: int = 4, cols: int = 3):
    """A chip of ``count`` rows x cols cores of ``device``, built; returns the chip."""
    chip = {"name": "m", "clock": {"tick": "1 us"},
            "cores": [{"name": f"c{i}", "array": {"rows": rows, "cols": cols}, "device": device} for i in range(count)]}
    (tmp_path / "chip.yaml").write_text(yaml.safe_dump(chip))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"name": "s", "chip": "chip.yaml", "duration": "1 ms"}))
    setup = load_scenario(tmp_path / "s.yaml")
    engine = Engine(setup.chip.clock.tick)
    return build_chip(setup, engine, Ledger(), Streams(0))


def matrix(chip, names, inputs, outputs, io=EXACT, seed=0):
    first = chip.cores[names[0]].crossbar
    tiles, free = [], iter(names)
    for i0 in range(0, inputs, first.rows):
        for o0 in range(0, outputs, first.cols):
            tiles.append(Tile(chip.cores[next(free)], slice(i0, min(i0 + first.rows, inputs)),
                              slice(o0, min(o0 + first.cols, outputs))))
    return AnalogMatrix("m", tiles, inputs, outputs, io, np.random.default_rng(seed))


def test_a_layer_larger_than_a_core_is_split_and_its_partial_sums_added(tmp_path):
    chip = cores(tmp_path, {"model": "ideal", "dw": 0.01}, count=4)
    m = matrix(chip, ["c0", "c1", "c2", "c3"], inputs=7, outputs=5)  # 2 x 2 tiles of 4 x 3
    w = np.random.default_rng(1).uniform(-1, 1, (7, 5))
    m.program(w, 0.0)
    x, d = np.random.default_rng(2).normal(size=(3, 7)), np.random.default_rng(3).normal(size=(3, 5))
    np.testing.assert_allclose(m.forward(x, 0.0), x @ w, rtol=1e-12)
    np.testing.assert_allclose(m.backward(d, 0.0), d @ w.T, rtol=1e-12)
    ledger = chip.ledger
    assert ledger.count(kind="synaptic_op") == 2 * 3 * 7 * 5  # every cell once per vector, both passes
    assert ledger.count(kind="adc_conversion") == 3 * (5 * 2 + 7 * 2)  # each tile converts its own partial sums


def test_reads_reach_the_ledger_in_their_own_stage_once(tmp_path):
    # a matrix tallies its reads and the ledger takes the tally when read: each read must land in the
    # stage it happened in, and reading the ledger twice must not count it twice
    chip = cores(tmp_path, {"model": "ideal", "dw": 0.01}, count=4)
    m = matrix(chip, ["c0", "c1", "c2", "c3"], inputs=7, outputs=5)  # 2 x 2 tiles of 4 x 3
    ledger = chip.ledger
    ledger.stage = "train"
    m.forward(np.ones((2, 7)), 0.0)
    assert ledger.count(kind="synaptic_op", stage="train") == 2 * 7 * 5
    ledger.stage = "transfer"
    m.forward(np.eye(7)[:1], 0.0)  # line 0 drives both tiles of the first tile row: 3 + 2 cells
    m.backward(np.ones((1, 5)), 0.0)
    for _ in range(2):
        assert ledger.count(kind="synaptic_op", stage="train") == 2 * 7 * 5
        assert ledger.count(kind="synaptic_op", stage="transfer") == 5 + 7 * 5
        assert ledger.count(kind="dac_drive", stage="transfer") == 2 + 5 * 2
        assert ledger.count(kind="adc_conversion", stage="transfer") == 5 + 7 * 2


def test_a_read_converts_each_driven_tiles_partial_sums_with_its_own_noise(tmp_path):
    """Against numpy: DAC per vector, then per tile (in tile order), where a line is driven, its
    product, its own normals from the matrix's stream and ADC; tiles with no line driven are
    neither read, nor drawn for, nor counted."""
    io = IOSpec(dac_bits=5, adc_bits=6, in_bound=1.0, out_bound=3.0, out_noise=0.1)
    chip = cores(tmp_path, {"model": "ideal", "dw": 0.01}, count=4)
    m = matrix(chip, ["c0", "c1", "c2", "c3"], inputs=7, outputs=5, io=io, seed=3)  # 2 x 2 tiles of 4 x 3
    w = np.random.default_rng(1).uniform(-1, 1, (7, 5))
    m.program(w, 0.0)
    blocks = [(rows, cols) for rows in (slice(0, 4), slice(4, 7)) for cols in (slice(0, 3), slice(3, 5))]  # tile order

    def convert(values, bound, steps):
        return np.rint(np.clip(values, -bound, bound) * steps / bound) * bound / steps

    def reference(vectors, forward, state):
        scale = np.abs(vectors).max(axis=1) / io.in_bound
        driven = convert(vectors / scale[:, None], io.in_bound, 15)
        out = np.zeros((len(vectors), 5 if forward else 7))
        for rows, cols in blocks:
            source, target = (rows, cols) if forward else (cols, rows)
            if driven[:, source].any():
                normals = compiled_random.normals(state, len(vectors) * (target.stop - target.start))
                normals = normals.reshape(len(vectors), -1)
                partial = driven[:, source] @ (w[rows, cols] if forward else w[rows, cols].T)
                out[:, target] += convert(partial + 0.1 * normals, 3.0, 31)
        return out * scale[:, None]

    state = m.state.copy()
    x = np.random.default_rng(2).normal(size=(3, 7))
    x[:, :4] = 0.0  # the tiles of inputs 0-3 are not driven
    d = np.random.default_rng(4).normal(size=(3, 5))
    np.testing.assert_allclose(m.forward(x, 0.0), reference(x, True, state), rtol=1e-12)
    np.testing.assert_allclose(m.backward(d, 0.0), reference(d, False, state), rtol=1e-12)
    assert m.state == state  # nothing drawn beyond the driven tiles' noise
    assert chip.ledger.count(kind="adc_conversion") == 3 * 5 + 3 * 7 * 2


def test_a_pcm_tile_with_no_line_driven_is_not_read(tmp_path):
    """Its read noise is not drawn: the undriven tile's devices draw nothing, the driven one's do."""
    chip = cores(tmp_path, {"model": "pcm"}, count=2)
    m = matrix(chip, ["c0", "c1"], inputs=8, outputs=3, io=EXACT)  # tiles: inputs 0-3 on c0, 4-7 on c1
    states = [chip.cores[name].crossbar.devices.rng.bit_generator.state for name in ("c0", "c1")]
    x = np.zeros((1, 8))
    x[0, 1] = 1.0  # one line of the first tile
    m.forward(x, 1.0)
    after = [chip.cores[name].crossbar.devices.rng.bit_generator.state for name in ("c0", "c1")]
    assert after[0] != states[0] and after[1] == states[1]


def test_periphery_clips_and_quantises():
    from neurochip.analog.periphery import convert, drive, levels
    assert levels(3) == 3 and levels(None) == 0
    converted = [convert(v, 1.0, 3) for v in (-3.0, -0.26, 0.0, 0.1, 0.74, 5.0)]  # 3 levels a side
    np.testing.assert_allclose(converted, [-1, -1 / 3, 0, 0, 2 / 3, 1])
    assert convert(0.123, 1.0, 0) == 0.123 and convert(-7.0, 2.0, 0) == -2.0  # 0 levels: clipped only
    vectors = np.array([[0.5, -2.0, 0.0], [0.0, 0.0, 0.0]])
    driven, scale = np.empty_like(vectors), np.empty(2)
    drive(vectors, 1.0, 3, driven, scale)  # scaled by the largest magnitude, then 3 levels a side
    np.testing.assert_allclose(scale, [2.0, 1.0])
    np.testing.assert_allclose(driven, [[1 / 3, -1, 0], [0, 0, 0]])


def test_expected_pulse_update_is_the_outer_product(tmp_path):
    chip = cores(tmp_path, {"model": "ideal", "dw": 0.001}, count=1, rows=4, cols=3)
    m = matrix(chip, ["c0"], 4, 3)
    x = np.array([[0.5, -0.25, 0.0, 1.0]])
    d = np.array([[0.2, -0.1, 0.05]])
    lr, update, draws = 0.01, PulseUpdateSpec(bl=31, update_management=True), 4000
    net = np.zeros((4, 3))
    for _ in range(draws):
        ups, downs = m.coincidences(x, d, lr, update)
        net += (ups - downs) * 0.001
    expected = -lr * x.T @ d
    # per draw the count is a sum of BL Bernoulli(p_x p_d) trials: std dw sqrt(BL q (1 - q))
    c = np.sqrt(lr / (31 * 0.001))
    ratio = np.sqrt(np.abs(d).max() / np.abs(x).max())
    q = np.minimum(c * ratio * np.abs(x.T), 1) * np.minimum(c / ratio * np.abs(d), 1)
    stderr = 0.001 * np.sqrt(31 * q * (1 - q) / draws)
    assert np.all(np.abs(net / draws - expected) <= 4 * stderr + 1e-15)
    assert np.all(net[2] == 0)  # a zero input never fires


def splitmix64(state: int):
    """The reference generator (Steele, Lea & Flood 2014) in Python integers: 64-bit outputs."""
    mask = 2 ** 64 - 1
    while True:
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        yield z ^ (z >> 31)


def test_coincidence_counts_equal_the_product_of_the_slot_trains():
    """The compiled popcount count equals |X|^T |D| split by sign, with X and D the slot trains
    (batch x BL, lines) built here from the same words: four 16-bit words per 64-bit draw,
    fresh draws for each nonzero line, sample by sample, inputs then outputs. BL = 100 spans
    two 64-bit masks (the second group's 36 slots take two 32-word comparisons); update
    management on; one line fires in every slot (p = 1)."""
    from neurochip.analog.coincidences import pulse_coincidences
    rng = np.random.default_rng(4)
    batch, bl, inputs, outputs, c, seed = 5, 100, 7, 6, 0.8, 12345
    x, d = rng.normal(size=(batch, inputs)), rng.normal(size=(batch, outputs))
    x[:, 2] = 0.0
    x[1] = 0.0  # a sample with no input: ratio 1, no words for its inputs
    x[3, 0] = 50.0  # p = c sqrt(max|d| / 50) 50 > 1: fires in every slot
    draws = splitmix64(seed)
    fire_x, fire_d = np.zeros((batch, bl, inputs)), np.zeros((batch, bl, outputs))
    for b in range(batch):
        x_max, d_max = np.abs(x[b]).max(), np.abs(d[b]).max()
        ratio = np.sqrt(d_max / x_max) if x_max > 0 else 1.0
        for values, scale, fire in ((x[b], c * ratio, fire_x[b]), (d[b], c / ratio, fire_d[b])):
            for line in np.flatnonzero(values):
                values64 = [next(draws) for _ in range((bl + 3) // 4)]
                words = [(value >> (16 * k)) & 0xFFFF for value in values64 for k in range(4)]
                threshold = np.rint(min(scale * abs(values[line]), 1.0) * 65536)
                fire[:, line] = (np.array(words[:bl]) < threshold) * np.sign(values[line])
    fire_x, fire_d = fire_x.reshape(batch * bl, inputs), fire_d.reshape(batch * bl, outputs)
    signed, total = fire_x.T @ fire_d, np.abs(fire_x).T @ np.abs(fire_d)
    ups, downs = np.full((inputs, outputs), 7), np.full((inputs, outputs), 7)  # overwritten
    pulse_coincidences(x, d, c, True, bl, np.array([seed], np.uint64), ups, downs)
    np.testing.assert_array_equal(downs, (total + signed) / 2)
    np.testing.assert_array_equal(ups, (total - signed) / 2)
    assert total.sum() > 100 and not ups[2].any() and not downs[2].any()
    assert fire_x[3 * bl: 4 * bl, 0].all()


def test_a_tiles_touched_cells_are_its_block_laid_from_the_array_corner():
    from neurochip.devices.base import touched
    rng = np.random.default_rng(5)
    ups, downs = rng.integers(0, 3, (5, 4)) * (rng.random((5, 4)) < 0.5), rng.integers(0, 2, (5, 4))
    cells, block_ups, block_downs = touched(ups[2:5, 1:4], downs[2:5, 1:4], 6)  # block [2:5, 1:4] on a 6-wide array
    rows, cols = np.nonzero((ups[2:5, 1:4] > 0) | (downs[2:5, 1:4] > 0))
    np.testing.assert_array_equal(cells, rows * 6 + cols)
    np.testing.assert_array_equal(block_ups, ups[2:5, 1:4][rows, cols])
    np.testing.assert_array_equal(block_downs, downs[2:5, 1:4][rows, cols])


def test_soft_bounds_block_counts_are_the_counts_of_the_touched_cells():
    """The fused block form takes the same cells, in the same order, with the same normals."""
    from neurochip.devices.base import pulse_block_by_cells
    spec = SoftBoundsSpec(model="softbounds", up_down=0.2, dw_min=0.01, dw_min_std=0.3)
    a, b = (SoftBoundsArray((6, 5), spec, np.random.default_rng(0), lambda k, n: None) for _ in range(2))
    rng = np.random.default_rng(2)
    ups = rng.integers(0, 5, (4, 3)) * (rng.random((4, 3)) < 0.5)
    downs = rng.integers(0, 5, (4, 3)) * (rng.random((4, 3)) < 0.5)
    a.pulse_block(ups, downs, 0.0)  # the 4 x 3 block at the top left of a 6 x 5 array
    pulse_block_by_cells(b, ups, downs, 0.0)
    np.testing.assert_array_equal(a.w, b.w)
    moved = (ups + downs > 0).ravel()
    assert a.w.reshape(6, 5)[:4, :3].ravel()[moved].all() and not a.w.reshape(6, 5)[:4, :3].ravel()[~moved].any()
    assert not a.w.reshape(6, 5)[4:].any() and not a.w.reshape(6, 5)[:, 3:].any()


def test_soft_bounds_pulse_counts_follow_the_pulse_by_pulse_law():
    spec = SoftBoundsSpec(model="softbounds", up_down=0.2, dw_min=0.01, dw_min_std=0.0)
    a, b = (SoftBoundsArray((4, 5), spec, np.random.default_rng(0), lambda k, n: None) for _ in range(2))
    rng = np.random.default_rng(1)
    start = rng.uniform(0.5, 1.0, 20) * np.where(rng.random(20) < 0.5, a.w_min, a.w_max)  # inside the bounds
    cells, counts = np.arange(20), rng.integers(0, 40, 20)
    for ups, downs in ((counts, np.zeros(20, int)), (np.zeros(20, int), counts)):  # one sign: exact
        a.w[:] = b.w[:] = start
        a.pulse_counts(cells, ups, downs, 0.0)
        pulse_counts_one_by_one(b, cells, ups, downs, 0.0)
        np.testing.assert_allclose(a.w, b.w, rtol=1e-10, atol=1e-12)
    # mixed counts: the mean over random orders of single pulses
    ups, downs = rng.integers(0, 40, 20), rng.integers(0, 40, 20)
    a.w[:] = start
    a.pulse_counts(cells, ups, downs, 0.0)
    finals = []
    for _ in range(300):
        b.w[:] = start
        for cell in cells:
            for sign in rng.permutation(np.r_[np.ones(ups[cell]), -np.ones(downs[cell])]):
                b.pulse(np.array([cell]), np.array([sign]), 0.0)
        finals.append(b.w.copy())
    # the mean-field map is first-order exact: its error is a few percent of the move for 0.01 steps
    move = np.abs(np.mean(finals, axis=0) - start)
    assert np.all(np.abs(a.w - np.mean(finals, axis=0)) <= 0.05 * move + 1e-4)


def test_soft_bounds_block_takes_any_pulse_count_in_closed_form():
    """Counts below 2^16 take the vectorised power (16 rounds of squaring), larger ones 63
    rounds: either way n up pulses map w to a^n w + up (1 - a^n) / (1 - a), a = 1 - up / w_max
    (a geometric series with no spread), here against numpy's power."""
    spec = SoftBoundsSpec(model="softbounds", up_down=0.2, dw_min=1e-6, dw_min_std=0.0)
    array = SoftBoundsArray((2, 3), spec, np.random.default_rng(3), lambda k, n: None)
    start = 0.5 * array.w_min
    array.w[:] = start
    ups = np.array([[0, 1, 65_535], [65_536, 3_000_000, 40]])  # row 0 vectorised, row 1 not
    array.pulse_block(ups, np.zeros_like(ups), 0.0)
    n, a, up = ups.ravel(), array.a_up, array.up
    expected = a ** n * start + up * (1 - a ** n) / (1 - a)
    np.testing.assert_allclose(array.w, expected, rtol=1e-9)
    assert array.w[5] > start[5] and array.w[4] > 0.9 * array.w_max[4]  # 3 million steps of 1e-6: near the bound


def test_tiki_taka_transfer_moves_a_row_of_a_into_c(tmp_path):
    # a transfer can move at most BL x dw = 0.31 per cell: these rows fit, no probability clips
    chip = cores(tmp_path, {"model": "ideal", "dw": 0.01}, count=2, rows=4, cols=3)
    a, c = matrix(chip, ["c0"], 4, 3, seed=1), matrix(chip, ["c1"], 4, 3, seed=2)
    spec = AlgorithmSpec(kind="tiki-taka", transfer_lr=0.5)
    weights = layer_weights(spec, [a, c], np.zeros((4, 3)), PulseUpdateSpec(bl=31), 0.0)
    held = np.array([[0.2, -0.1, 0.05], [0.3, 0.0, -0.2], [0.0] * 3, [0.0] * 3])
    moved, draws = np.zeros((4, 3)), 2000
    for _ in range(draws):
        a.program(held, 0.0)
        c.program(np.zeros((4, 3)), 0.0)
        weights.next_row = 0
        weights.transfer(0.0)
        moved += c.weights(0.0)
    assert np.all(moved[1:] == 0)  # one row per transfer, the first
    np.testing.assert_allclose(moved[0] / draws, 0.5 * held[0], atol=0.003)
    assert weights.next_row == 1  # the next transfer reads the next input line


def test_ttv2_buffer_pulses_c_once_per_whole_threshold(tmp_path):
    chip = cores(tmp_path, {"model": "ideal", "dw": 0.01}, count=2, rows=2, cols=2)
    a, c = matrix(chip, ["c0"], 2, 2), matrix(chip, ["c1"], 2, 2)
    spec = AlgorithmSpec(kind="ttv2", transfer_lr=1.0, buffer_threshold=1.0)
    weights = layer_weights(spec, [a, c], np.zeros((2, 2)), PulseUpdateSpec(), 0.0)
    a.program(np.array([[0.025, -0.013], [0.0, 0.0]]), 0.0)  # 2.5 and -1.3 of C's steps
    weights.transfer(0.0)
    np.testing.assert_allclose(c.weights(0.0)[0], [0.02, -0.01])
    np.testing.assert_allclose(weights.buffer[0], [0.5, -0.3], atol=1e-9)


def test_soft_bounds_sgd_drifts_to_the_symmetry_point_where_tiki_taka_does_not(tmp_path):
    """Minimise 0.5 |W - W*|^2 from noisy gradients (d = W - W* + noise, inputs one-hot).
    On asymmetric devices the noise's up and down pulses pull each weight toward its
    symmetry point, so SGD settles between W* and that point; Tiki-Taka's A absorbs the
    noise around its (zero-shifted) symmetry point and C settles at W*."""
    device = {"model": "softbounds", "up_down": 0.3, "dw_min": 0.01, "dw_min_std": 0.0}
    chip = cores(tmp_path, device, count=3, rows=8, cols=8)
    rng = np.random.default_rng(5)
    sgd_m, a, c = (matrix(chip, [name], 8, 8, seed=i) for i, name in enumerate(["c0", "c1", "c2"]))
    update, target, eye = PulseUpdateSpec(bl=31), rng.uniform(-0.2, 0.2, (8, 8)), np.eye(8)
    sgd = layer_weights(AlgorithmSpec(kind="sgd"), [sgd_m], np.zeros((8, 8)), update, 0.0)
    tt = layer_weights(AlgorithmSpec(kind="tiki-taka", transfer_lr=0.1), [a, c], np.zeros((8, 8)), update, 0.0)
    offsets = {"sgd": [], "tiki-taka": []}
    for step in range(2000):
        for name, weights in (("sgd", sgd), ("tiki-taka", tt)):
            d = weights.weights(0.0) - target + rng.normal(size=(8, 8))
            weights.update(eye, d, 0.05, 0.0)
            if step >= 1000:
                offsets[name].append(np.mean(weights.weights(0.0) - target))
    symmetry = sgd_m.device_values("symmetry_point").mean()  # 0.18 for an imbalance of 0.3
    assert np.mean(offsets["sgd"]) > 0.4 * symmetry  # measured 0.56 of the way
    assert abs(np.mean(offsets["tiki-taka"])) < 0.4 * np.mean(offsets["sgd"])  # measured 0.32 of it


def reduced_training(source: Path, folder: Path, epochs: int = 2, train: int = 160, test: int = 60) -> Path:
    return reduced(source, folder, epochs=epochs, train=train, test=test)


def test_there_are_training_scenarios():
    assert {"tikitaka-digits", "mlp-algorithms", "tikitaka-capacitor", "mlp-lifetime"} <= \
        {p.stem for p in TRAINING_SCENARIOS}


@pytest.mark.parametrize("source", TRAINING_SCENARIOS, ids=lambda p: p.stem)
def test_training_scenarios_run_at_reduced_size(source, tmp_path, capsys):
    path = reduced_training(source, tmp_path)
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "test accuracy (analog reads)" in out
    scenario = yaml.safe_load(path.read_text())
    if scenario.get("variants"):
        with open(next((tmp_path / "runs").glob("*-comparison.csv"))) as handle:
            rows = list(csv.DictReader(handle))
        assert [row["variant"] for row in rows] == [v["name"] for v in scenario["variants"]]
        assert (tmp_path / "runs" / f"{scenario['name']}-seed1-comparison.png").exists()
    if scenario["training"].get("lifetime"):
        assert "after idling 1 h" in out


def test_training_repeats_bit_for_bit_with_a_seed(tmp_path):
    path = reduced_training(REPO / "scenarios" / "tikitaka-digits.yaml", tmp_path, epochs=1, train=96, test=30)
    runs = [run_scenario(load_scenario(path), tmp_path / f"r{i}", progress=False) for i in range(2)]
    records = []
    for run in runs:
        with Trace(run.path) as trace:
            records.append(trace.learning()["results"])
    for name in records[0]:
        np.testing.assert_array_equal(records[0][name], records[1][name])
    assert runs[0].learning.curve == runs[1].learning.curve


@pytest.mark.parametrize("change, message", [
    ({"cores": ["t0", "t1"]}, "need 6 cores of 32 x 32"),
    ({"cores": ["t0", "nowhere"]}, "training.cores: no core named 'nowhere'"),
    ({"layers": [64, 20, 3]}, "training.layers: the first layer must have 64 units"),
    ({"algorithm": {"kind": "resting-point"}}, "training.algorithm.kind: resting-point needs capacitor devices"),
    ({"algorithm": {"kind": "adam"}}, "training.algorithm.kind"),
    ({"lifetime": ["1 day", "1 h"]}, "training.lifetime: expected idle times of 0 s or more in increasing order, "
                                     "got [86400 s, 3600 s]"),
    ({"lifetime": ["-1 s"]}, "training.lifetime: expected idle times of 0 s or more"),
    # the hidden layer has 32 inputs: 33 lines would read one twice (and TTv2's buffer would count it once)
    ({"algorithm": {"kind": "tiki-taka", "columns_per_transfer": 33}},
     "training.algorithm.columns_per_transfer: 33 input lines of A read per transfer, but a layer of [64, 32, 10] has "
     "32 inputs: a transfer would read some lines twice; expected at most 32"),
    # used to end in a numpy reshape traceback with a half-written trace
    ({"data": {"set": "digits", "train": 160, "test": 0}},
     "training.data.test: rate-coded training scores itself on test images: expected at least 1, got 0"),
])
def test_bad_training_blocks_are_reported_with_their_key_path(change, message, tmp_path, capsys):
    path = reduced_training(REPO / "scenarios" / "tikitaka-digits.yaml", tmp_path)
    scenario = yaml.safe_load(path.read_text())
    scenario["training"].update(change)
    path.write_text(yaml.safe_dump(scenario))
    assert main(["run", str(path), "--out", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists()
