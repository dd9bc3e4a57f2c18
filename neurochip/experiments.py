"""Small built-in experiments on one core of a chip, run through the ordinary kernel.

``one_core_setup`` turns a core description into a one-core chip with given inputs and
weights, so that experiments (transfer curves, the Brian2 cross-check) exercise exactly
the code a scenario does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .chip import Chip, build_chip
from .description.chip import ArraySpec, ChipSpec, ClockSpec, CoreSpec, NeuronsSpec, RouterSpec
from .description.devices import IdealDeviceSpec
from .description.loader import Setup
from .description.scenario import ScenarioSpec, SpikeTimesInputSpec, WeightsSpec
from .kernel.engine import Engine
from .ledger import Ledger
from .randomness import Streams
from .recording import sample_state


def one_core_setup(core: CoreSpec, tick: float, latency: float, neurons: int, inputs: int,
                   weights: np.ndarray, input_times: np.ndarray, input_lines: np.ndarray,
                   duration: float, seed: int = 0, **core_changes) -> Setup:
    """A chip with one core like ``core`` (ideal devices, ``inputs`` x ``neurons``, neurons on the columns)."""
    spec = core.model_copy(update={"name": "core", "array": ArraySpec(rows=inputs, cols=neurons),
                                   "neurons": NeuronsSpec(cols=core.neurons.cols or core.neurons.rows),
                                   "device": IdealDeviceSpec(), **core_changes})
    # specs built from values that are already SI floats: construct them, no unit parsing
    chip = ChipSpec.model_construct(name="experiment", clock=ClockSpec.model_construct(tick=tick),
                                    router=RouterSpec.model_construct(latency=latency, hop_latency=0.0), cores=[spec])
    sources = []
    if len(input_times):
        sources.append(SpikeTimesInputSpec.model_construct(kind="spike-times", name="input", to="core.rows",
                                                           size=inputs, offset=0, file=None,
                                                           times=np.asarray(input_times, float),
                                                           neurons=np.asarray(input_lines, int)))
    scenario = ScenarioSpec.model_construct(name="experiment", chip="-", seed=seed, duration=duration,
                                            inputs=sources, routes=[], actions=[],
                                            weights={"core": WeightsSpec(file="weights")})
    return Setup(scenario, chip, None, None, weight_files={"weights": np.asarray(weights, float)})


@dataclass
class Run:
    chip: Chip
    engine: Engine
    ledger: Ledger
    spikes: list[tuple[int, np.ndarray]] = field(default_factory=list)
    samples: list[tuple[int, np.ndarray]] = field(default_factory=list)

    @property
    def neurons(self):
        return self.chip.cores["core"].neurons["cols"]

    def spike_trains(self) -> tuple[np.ndarray, np.ndarray]:
        """(ticks, neuron) of every spike of the core's neurons."""
        if not self.spikes:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ticks = np.concatenate([np.full(ids.size, t) for t, ids in self.spikes])
        return ticks, np.concatenate([ids for _, ids in self.spikes])


class _Samples:
    """A stand-in for the trace writer that keeps the column neurons' sampled potentials."""

    def __init__(self, run: Run):
        self.run = run

    def on_state(self, core: str, tick: int, values: dict[str, np.ndarray]) -> None:
        self.run.samples.append((tick, values["cols"]))


def run_setup(setup: Setup, sample_every: int | None = None, rests: np.ndarray | None = None) -> Run:
    """Run ``setup`` to its duration, keeping the core's spikes and (optionally) sampled potentials.

    ``rests`` gives each neuron its own resting potential (a constant drive).
    """
    engine = Engine(setup.chip.clock.tick)
    ledger = Ledger()
    chip = build_chip(setup, engine, ledger, Streams(setup.scenario.seed))
    run = Run(chip, engine, ledger)
    if rests is not None:
        run.neurons.set_rest(rests)
    chip.router.observers.append(
        lambda sender, side, t, ids: run.spikes.append((t, ids.copy())) if sender == "core" else None)
    if sample_every:
        engine.process(sample_state(engine, chip, _Samples(run), ["core"], sample_every))
    engine.run(engine.ticks(setup.scenario.duration))
    return run
