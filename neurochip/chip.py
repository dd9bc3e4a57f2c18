"""Build a running chip from a validated description: cores, router, input sources."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .circuits.controller import STDPController
from .circuits.lif import LIFPopulation
from .circuits.noise import PinkNoise, neuron_noise
from .description.chip import PinkNoiseSpec
from .description import Setup
from .description.scenario import PoissonInputSpec, WeightsSpec, split_endpoint
from .devices.crossbar import Crossbar, device_array
from .kernel.core import Core
from .kernel.engine import Engine
from .kernel.router import Router
from .kernel.sources import PoissonSource, SpikeSource, SpikeTimesSource
from .ledger import Ledger
from .randomness import Streams


@dataclass
class Chip:
    engine: Engine
    router: Router
    ledger: Ledger
    cores: dict[str, Core] = field(default_factory=dict)
    sources: dict[str, SpikeSource] = field(default_factory=dict)


def initial_weights(spec: WeightsSpec | None, shape: tuple[int, int], rng: np.random.Generator,
                    loaded: np.ndarray | None = None) -> np.ndarray | None:
    """Initial weights as a scenario asks; None where it says nothing (devices keep their initial state)."""
    if spec is None:
        return None
    if spec.constant is not None:
        return np.full(shape, spec.constant)
    if spec.uniform is not None:
        return rng.uniform(*spec.uniform, size=shape)
    if spec.normal is not None:
        return rng.normal(*spec.normal, size=shape)
    return loaded


def mesh_positions(names: list[str], given: list[tuple[int, int] | None]) -> dict[str, tuple[int, int]]:
    """Given positions, and row-major places on the smallest square mesh for the rest."""
    width = math.ceil(math.sqrt(len(names)))
    return {name: pos if pos is not None else (i % width, i // width)
            for i, (name, pos) in enumerate(zip(names, given))}


def build_chip(setup: Setup, engine: Engine, ledger: Ledger, streams: Streams) -> Chip:
    chip_spec, scenario = setup.chip, setup.scenario
    router = Router(engine, ledger, chip_spec.router.latency, chip_spec.router.hop_latency)
    chip = Chip(engine, router, ledger)
    positions = mesh_positions([c.name for c in chip_spec.cores], [c.position for c in chip_spec.cores])
    for spec in chip_spec.cores:
        router.place(spec.name, positions[spec.name])
        shape = (spec.array.rows, spec.array.cols)
        weights_spec = scenario.weights.get(spec.name)
        weights = initial_weights(weights_spec, shape, streams.generator(f"weights/{spec.name}"),
                                  setup.weight_files.get(weights_spec.file) if weights_spec else None)
        neurons = {side: LIFPopulation(lif, spec.size(side), engine.tick) if lif is not None else None
                   for side, lif in (("rows", spec.neurons.rows), ("cols", spec.neurons.cols))}
        devices = device_array(spec.device, shape, streams.generator(f"devices/{spec.name}"),
                               lambda kind, n, core=spec.name: ledger.add(core, kind, n))
        read_noise = (PinkNoise(spec.noise, shape[0] * shape[1], streams.generator(f"noise/{spec.name}/cells"))
                      if isinstance(spec.noise, PinkNoiseSpec) else None)
        crossbar = Crossbar(devices, spec.read, read_noise)
        if weights is not None:
            crossbar.program(weights, 0.0)
        noise = {side: neuron_noise(spec.noise, pop.size, streams.generator(f"noise/{spec.name}/{side}"))
                 for side, pop in neurons.items() if pop is not None and spec.noise is not None}
        noise = {side: source for side, source in noise.items() if source is not None}
        controller = (STDPController(spec.controller, shape[0], shape[1], engine.tick)
                      if spec.controller is not None else None)
        chip.cores[spec.name] = Core(spec.name, crossbar, neurons, engine, router, ledger, noise,
                                     getattr(spec.noise, "period", None), controller)

    for name, core in chip.cores.items():
        # a row neuron's spike drives its own row, a column neuron's its own column,
        # where there are neurons across the array to read into
        if core.neurons["rows"] is not None and core.neurons["cols"] is not None:
            router.connect(name, "rows", core, "rows")
            router.connect(name, "cols", core, "cols")
    for route in scenario.routes:
        src_core, src_side = split_endpoint(route.source)
        dst_core, dst_side = split_endpoint(route.to)
        router.connect(src_core, src_side, chip.cores[dst_core], dst_side, route.offset)

    for spec in scenario.inputs:
        if isinstance(spec, PoissonInputSpec):
            rates = np.broadcast_to(np.asarray(spec.rate, float), (spec.size,))
            stop = engine.ticks(spec.stop) if spec.stop is not None else None
            source = PoissonSource(spec.name, rates, streams.generator(f"input/{spec.name}"), engine, router,
                                   engine.ticks(spec.start), stop)
        else:
            times, channels = setup.spike_files.get(spec.name) or (np.asarray(spec.times), np.asarray(spec.neurons))
            source = SpikeTimesSource(spec.name, spec.size, times, channels, engine, router)
        core, side = split_endpoint(spec.to)
        router.connect(spec.name, "out", chip.cores[core], side, spec.offset)
        chip.sources[spec.name] = source
    return chip
