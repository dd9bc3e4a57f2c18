"""A spiking RBM on one core, trained by event-driven contrastive divergence (Neftci et al. 2014).

Layout on the core, as on the IEDM 2019 chip: the visible layer sits on the rows
(pixels, then ``labels_per_class`` label neurons per class, then always-on bias rows), the
hidden layer on the columns (hidden units, then always-on bias columns); one crossbar is
read forward (visible -> hidden) and backward (hidden -> visible). Unused rows and columns
are clamped silent.

Per sample: a transition, a data phase (visible clamped: their lines driven by Poisson
trains at ``rate_on`` for "on" pixels and the sample's label group, binarised at 0.5;
controller sign +1, a SET on G+ per pairing), a transition, and a model phase (visible
released, no data; sign -1, a SET on G-). The controller's history is cleared at every
switch so that no pair straddles two phases (RBM_RECIPE pitfall 3). Bias rows and
columns fire at ``rate_bias`` throughout, so biases learn by the same rule.

Uses, all read by counting the free neurons' spikes: classification clamps the pixels and
lets the label neurons run (the class whose group spikes most wins); reconstruction clamps
part of an image and reads the rest; generation clamps one class's label group and reads
the pixels. A free neuron's P(on) is its spike count x refractory period / time; a free
pixel's intensity is its P(on) over that of a full pixel's line (``SpikingRBM.intensity``).
The ledger's stage follows the phase: transition, data, model, and for the uses inference
(classification), reconstruction and generation; it tallies training samples and inferences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data import Dataset
from ..description.learning import LearningSpec
from ..kernel.core import Core
from ..kernel.engine import Engine
from ..kernel.sources import ScheduledSource, dead_time_events, poisson_events


@dataclass(frozen=True)
class RBMParams:
    """Times in seconds, rates in Hz (defaults: the chip's simulator, DESIGN.md section 5)."""

    labels_per_class: int = 4
    hidden: int = 100
    visible_bias: int = 8
    hidden_bias: int = 8
    transition: float = 10e-3
    data: float = 40e-3
    model: float = 40e-3
    readout: float = 100e-3
    #: fresh chains the read-out is split into (``LearningSpec.readout_restarts``)
    readout_restarts: int = 1
    rate_on: float = 200.0
    rate_bias: float = 70.8
    #: resting potential of both layers (membrane units); None keeps the chip's v_rest
    rest: float | None = None
    #: trains on driven lines: "dead-time" (Poisson with the neurons' refractory period as dead
    #: time, so a line counts as "on" as a neuron does) or "poisson" (the chip's simulator)
    input_train: str = "dead-time"
    #: probability that the controller passes a pulse to a label row (their learning rate
    #: relative to the pixels'); 1: every pulse
    label_pulses: float = 1.0
    #: probability that the controller passes a pulse to any row (the learning rate of a fixed SET step)
    pulse_rate: float = 1.0

    @classmethod
    def from_spec(cls, spec: LearningSpec, refractory: float) -> "RBMParams":
        """``refractory``: the refractory period (s) of the core's row (visible) neurons, which turns the
        default P(on)s into rates for both the row lines and the bias columns."""
        rate_on, rate_bias = spec.line_rates(refractory)
        return cls(labels_per_class=spec.labels_per_class, hidden=spec.hidden, visible_bias=spec.bias.visible,
                   hidden_bias=spec.bias.hidden, transition=spec.phases.transition, data=spec.phases.data,
                   model=spec.phases.model, readout=spec.readout,
                   readout_restarts=spec.readout_restarts, rate_on=rate_on,
                   rate_bias=rate_bias, rest=spec.rest, input_train=spec.input_train,
                   label_pulses=spec.label_pulses, pulse_rate=spec.pulse_rate)


_NONE = np.zeros(0, np.int64)


class SpikingRBM:
    def __init__(self, core: Core, engine: Engine, router, classes: int, pixels: int, params: RBMParams,
                 rng: np.random.Generator):
        self.core, self.engine, self.params, self.rng = core, engine, params, rng
        self.classes, self.pixels = classes, pixels
        p = params
        self.label_rows = pixels + np.arange(classes * p.labels_per_class)
        #: the rows of the visible units: the pixels, then the labels (not the bias rows)
        self.unit_rows = np.arange(pixels + self.label_rows.size)
        self.bias_rows = pixels + classes * p.labels_per_class + np.arange(p.visible_bias)
        self.visible = pixels + classes * p.labels_per_class + p.visible_bias
        self.bias_cols = p.hidden + np.arange(p.hidden_bias)
        rows, cols = core.crossbar.rows, core.crossbar.cols
        if self.visible > rows or p.hidden + p.hidden_bias > cols:
            raise ValueError(f"an RBM of {self.visible} visible and {p.hidden + p.hidden_bias} hidden units "
                             f"does not fit a {rows} x {cols} core")
        self.rows_in = ScheduledSource(f"{core.name}-visible-input", rows, engine, router)
        self.cols_in = ScheduledSource(f"{core.name}-hidden-bias", cols, engine, router)
        router.connect(self.rows_in.name, "out", core, "rows")
        router.connect(self.cols_in.name, "out", core, "cols")
        if p.rest is not None:
            for side in ("rows", "cols"):
                core.neurons[side].set_rest(p.rest)
        self.scale_pulses(1.0)
        hidden_free = np.zeros(cols, bool)
        hidden_free[: p.hidden] = True  # bias columns are driven, not free
        core.neurons["cols"].set_enabled(hidden_free)
        #: spikes of each row neuron while ``counting``
        self.row_counts = np.zeros(rows, np.int64)
        self.counting = False
        router.observers.append(self._count)

    def scale_pulses(self, rate: float) -> None:
        """The controller passes each pulse with probability ``rate`` x pulse_rate (times label_pulses
        on the label rows): a learning rate set by a comparator's gate, not by the SET step."""
        controller = self.core.controller
        if controller is None:
            return
        rate *= self.params.pulse_rate
        if rate == 1.0 and self.params.label_pulses == 1.0:
            controller.gate_rows(None)  # every pulse passes, and no random word is drawn for it
            return
        gate = np.full(self.core.crossbar.rows, rate)
        gate[self.label_rows] *= self.params.label_pulses
        controller.gate_rows(gate, self.rng)

    def _count(self, sender: str, side: str, tick: int, ids: np.ndarray) -> None:
        if self.counting and sender == self.core.name and side == "rows":
            self.row_counts[ids] += 1  # one spike per neuron per tick: no repeats in ids

    # -- spike trains ------------------------------------------------------------------
    def _trains(self, lines: np.ndarray, rate: float, start: int, stop: int, side: str = "rows"):
        """(ticks, lines) of the trains on ``lines`` from ``start`` to ``stop`` (ticks)."""
        if self.params.input_train == "poisson":
            return poisson_events(rate, start, stop, self.engine.tick, self.rng, channels=lines)
        dead_time = self.core.neurons[side].spec.refractory
        return dead_time_events(rate, dead_time, start, stop, self.engine.tick, self.rng, lines)

    def _drive(self, row_lines: np.ndarray, duration: float) -> int:
        """Schedule data rows and both biases for the next ``duration``; return the end tick."""
        start = self.engine.now + 1
        stop = start + self.engine.ticks(duration)
        rows = [self._trains(row_lines, self.params.rate_on, start, stop),
                self._trains(self.bias_rows, self.params.rate_bias, start, stop)]
        self.rows_in.schedule(np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows]))
        self.cols_in.schedule(*self._trains(self.bias_cols, self.params.rate_bias, start, stop, "cols"))
        return stop - 1

    def _run_phase(self, name: str, sign: int, clamp_rows: np.ndarray | None, row_lines: np.ndarray,
                   duration: float) -> None:
        """Clamp ``clamp_rows`` (driving ``row_lines`` of them), free the other units, run ``duration``."""
        self.core.ledger.stage = name
        controller = self.core.controller
        if controller is not None:
            controller.sign = sign
            controller.forget()
        enabled = np.zeros(self.core.crossbar.rows, bool)
        enabled[self.unit_rows] = True
        if clamp_rows is not None:
            enabled[clamp_rows] = False
        self.core.neurons["rows"].set_enabled(enabled)
        end = self._drive(row_lines, duration)
        self.engine.run(end)

    def read(self, use: str, clamp_rows: np.ndarray, row_lines: np.ndarray, duration: float) -> np.ndarray:
        """Run a read-out phase (stage ``use``, no learning): clamp ``clamp_rows``, driving ``row_lines`` of
        them, let the other units run for ``duration`` (s); return each row neuron's P(on) = spikes x
        refractory / duration (clamped rows: 0). The uses below and benchmarks/sampler_fidelity.py read this way."""
        self.row_counts[:] = 0
        self.counting = True
        try:
            self._run_phase(use, 0, clamp_rows, row_lines, duration)
        finally:
            self.counting = False
        refractory = self.core.neurons["rows"].spec.refractory
        return np.minimum(self.row_counts * refractory / duration, 1.0)

    def read_chains(self, use: str, clamp_rows: np.ndarray, row_lines: np.ndarray, duration: float,
                    restarts: int) -> np.ndarray:
        """``read`` split into ``restarts`` chains of ``duration`` / ``restarts`` each, every one after a
        transition with all visible units silent; their P(on)s averaged. A chain that settles on one mode
        stays there for its whole read; independent chains average over modes (README, RBM)."""
        if restarts == 1:
            return self.read(use, clamp_rows, row_lines, duration)
        p_on = 0.0
        for _ in range(restarts):
            self._run_phase("transition", 0, self.unit_rows, _NONE, self.params.transition)
            p_on = p_on + self.read(use, clamp_rows, row_lines, duration / restarts) / restarts
        return p_on

    def _on_pixels(self, image: np.ndarray) -> np.ndarray:
        return np.flatnonzero(image.ravel() >= 0.5)

    def _label_lines(self, label: int) -> np.ndarray:
        return self.label_rows[label * self.params.labels_per_class: (label + 1) * self.params.labels_per_class]

    # -- uses ---------------------------------------------------------------------------
    def train_sample(self, image: np.ndarray, label: int) -> None:
        p = self.params
        clamp = self.unit_rows
        data_lines = np.concatenate([self._on_pixels(image), self._label_lines(label)])
        self._run_phase("transition", 0, clamp, data_lines, p.transition)
        self._run_phase("data", 1, clamp, data_lines, p.data)
        self._run_phase("transition", 0, None, _NONE, p.transition)
        self._run_phase("model", -1, None, _NONE, p.model)
        self.core.ledger.measure(self.core.name, "training_samples", 1)

    def classify_sample(self, image: np.ndarray, readout: float | None = None) -> tuple[int, np.ndarray]:
        """Clamp the pixels, let the label neurons run for ``readout`` (s; default: the parameters'); the class
        whose label group spikes most wins (-1: none)."""
        p_on = self.read_chains("inference", np.arange(self.pixels), self._on_pixels(image),
                                readout or self.params.readout, self.params.readout_restarts)
        self.core.ledger.measure(self.core.name, "inferences", 1)
        counts = p_on[self.label_rows].reshape(self.classes, self.params.labels_per_class).sum(axis=1)
        return (int(np.argmax(counts)) if counts.any() else -1), counts

    def on_level(self) -> float:
        """P(on) of a full pixel's line: the fraction of time it has spiked within the last refractory
        period t_r, rate_on x t_r for dead-time trains, 1 - exp(-rate_on x t_r) for Poisson ones."""
        exposure = self.params.rate_on * self.core.neurons["rows"].spec.refractory
        return float(-np.expm1(-exposure)) if self.params.input_train == "poisson" else exposure

    def intensity(self, p_on: np.ndarray) -> np.ndarray:
        """Pixel intensities in [0, 1] of free pixel neurons at ``p_on``: P(on) / ``on_level``, at most 1.

        Event-driven CD pairs a spike with partners that spiked within the window, so it matches
        how often a unit is 'on', and a trained free pixel neuron is on as often as a full pixel's
        line was: 0.8 at 800 Hz and 1 ms with dead-time trains, 0.55 with Poisson ones (several
        Poisson spikes can fall in one period). On the quickstart's second 100 samples the free
        pixels' mean P(on) in the model phases was 0.19, the data lines' 0.18 (0.32 of pixels
        on x 0.55). Read as intensities, reconstructions are scored on the scale of the
        binarised data. (The shipped cores' window equals their refractory period.)
        """
        return np.minimum(p_on / self.on_level(), 1.0)

    def reconstruct_sample(self, image: np.ndarray, known: np.ndarray, duration: float,
                           restarts: int = 1) -> np.ndarray:
        """Clamp the pixels where ``known`` (bool, image-shaped), free the rest and the labels; return the
        intensity per pixel (``intensity``), read over ``restarts`` runs of ``duration`` / ``restarts``
        each, every one after a transition with all visible units silent (a fresh chain: see
        ``ReconstructSpec.restarts``)."""
        known_pixels = np.flatnonzero(known.ravel())
        on = np.intersect1d(self._on_pixels(image), known_pixels)
        p_on = self.read_chains("reconstruction", known_pixels, on, duration, restarts)
        return self.intensity(p_on[: self.pixels]).reshape(image.shape)

    def generate(self, label: int, duration: float, shape: tuple[int, ...]) -> np.ndarray:
        """Clamp one class's label group (the other labels silent), let the pixels run; return the intensity
        per pixel (``intensity``)."""
        p_on = self.read("generation", self.label_rows, self._label_lines(label), duration)
        return self.intensity(p_on[: self.pixels]).reshape(shape)

    def free_energy_predictions(self, images: np.ndarray, scale: float) -> np.ndarray:
        """Classify with the RBM's free energy from the stored weights (no sampling).

        Checks learning apart from sampling (RBM_RECIPE pitfall 8): for each class, the
        visible vector (binarised pixels, that class's label group on, bias rows at their
        P(on) = rate_bias x refractory) and F(v) = -a.v - sum_j softplus(b_j + v.W_j), with
        W = ``scale`` x the crossbar weights (the neurons' sigmoid converts weights to RBM
        units) and a the visible biases that the always-on bias columns provide.
        """
        p = self.params
        weights = self.core.crossbar.weights(self.engine.seconds(self.engine.now)) * scale
        refractory = self.core.neurons["cols"].spec.refractory
        bias_on = min(p.rate_bias * refractory, 1.0)
        hidden = weights[:, : p.hidden]
        visible_bias = weights[:, self.bias_cols].sum(axis=1) * bias_on
        predictions = np.empty(len(images), dtype=np.int64)
        for index, image in enumerate(images):
            v = np.zeros((self.classes, weights.shape[0]))
            v[:, : self.pixels] = image.ravel() >= 0.5
            for c in range(self.classes):
                v[c, self._label_lines(c)] = 1.0
            v[:, self.bias_rows] = bias_on
            free = -(v @ visible_bias) - np.logaddexp(0.0, v @ hidden).sum(axis=1)
            predictions[index] = int(np.argmin(free))
        return predictions

    def free_energy_scale(self, data: Dataset, scales=(0.5, 1.0, 2.0, 4.0, 8.0)) -> float:
        """The weight-to-RBM-unit scale that classifies ``data`` (training images) best by free energy."""
        scores = [np.mean(self.free_energy_predictions(data.images, scale) == data.labels) for scale in scales]
        return float(scales[int(np.argmax(scores))])

    def accuracy(self, data: Dataset, readout: float | None = None) -> float:
        return float(np.mean(self.predictions(data, readout) == data.labels))

    def predictions(self, data: Dataset, readout: float | None = None) -> np.ndarray:
        return np.array([self.classify_sample(image, readout)[0] for image in data.images], dtype=np.int64)
