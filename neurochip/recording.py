"""Observers that sample state into the trace in the RECORD phase: membranes and conductances.

They read state through non-mutating views (``potential_at``, ``conductances``); they
never steer the run.
"""

from __future__ import annotations

import numpy as np

from .chip import Chip
from .description.scenario import RecordSpec
from .devices.base import block_cells
from .kernel.engine import Engine, Phase
from .traces import TraceWriter


def sample_state(engine: Engine, chip: Chip, writer: TraceWriter, cores: list[str], interval: int):
    """Process: membrane potentials of ``cores`` every ``interval`` ticks, from tick 0."""
    yield engine.at(0, Phase.RECORD)
    while True:
        now = engine.now
        for name in cores:
            neurons = chip.cores[name].neurons
            writer.on_state(name, now, {side: pop.potential_at(now) for side, pop in neurons.items() if pop})
        yield engine.at(interval, Phase.RECORD)


class ConductanceRecorder:
    """Samples a block of cells of each chosen core: at the start, periodically, after every action on it."""

    def __init__(self, engine: Engine, chip: Chip, writer: TraceWriter, record: RecordSpec):
        self.engine, self.chip, self.writer = engine, chip, writer
        names = record.conductance_cores or list(chip.cores)
        self.cells: dict[str, np.ndarray] = {}
        for name in names:
            crossbar = chip.cores[name].crossbar
            cells, _ = block_cells((crossbar.rows, crossbar.cols), record.conductance_cells.rows,
                                   record.conductance_cells.cols)
            self.cells[name] = cells
            writer.add_conductance_group(name, cells, crossbar.devices.quantities, crossbar.cols)
        self._pending: set[str] = set()
        self._last: dict[str, int] = {}
        for name in self.cells:  # the state the run starts from
            self.snapshot(name)
        if record.conductance_interval is not None:
            engine.process(self._periodic(max(1, engine.ticks(record.conductance_interval))))

    def _sample(self, name: str) -> None:
        now = self.engine.now
        if self._last.get(name) == now:
            return  # a periodic sample and a snapshot at one tick: one row
        self._last[name] = now
        devices = self.chip.cores[name].crossbar.devices
        self.writer.on_conductance(name, now, devices.conductances(self.engine.seconds(now), self.cells[name]))

    def _periodic(self, interval: int):
        yield self.engine.at(0, Phase.RECORD)
        while True:
            for name in self.cells:
                self._sample(name)
            yield self.engine.at(interval, Phase.RECORD)

    def snapshot(self, name: str) -> None:
        """Sample ``name`` in the RECORD phase of the current tick (once, however often asked)."""
        if name not in self.cells or name in self._pending:
            return
        self._pending.add(name)
        event = self.engine.barrier(Phase.RECORD)

        def sample(_event, name=name):
            self._pending.discard(name)
            self._sample(name)
        event.callbacks.append(sample)
