"""A chip core as a SimPy process: a crossbar with LIF neurons on its rows and/or columns.

The core sleeps until a packet arrives. At the tick a packet is delivered it
integrates (reading only the driven lines of its crossbar), then fires; the spikes of
both its sides leave as one packet. The kernel knows nothing else of the physics: the
crossbar and the neurons are plugged in.
"""

from __future__ import annotations

import numpy as np

from ..circuits.lif import LIFPopulation
from ..devices.crossbar import Crossbar
from ..ledger import Ledger
from .engine import Engine, Phase
from .router import Router

_READ_KIND = {"rows": "row_read", "cols": "col_read"}
_OTHER = {"rows": "cols", "cols": "rows"}


class Core:
    def __init__(self, name: str, crossbar: Crossbar, neurons: dict[str, LIFPopulation | None],
                 engine: Engine, router: Router, ledger: Ledger):
        self.name = name
        self.crossbar = crossbar
        #: neurons by side; ``None`` where a side has none
        self.neurons = neurons
        self.engine = engine
        self.router = router
        self.ledger = ledger
        self._inbox: dict[str, list[np.ndarray]] = {"rows": [], "cols": []}
        self._wake = engine.env.event()
        engine.process(self._run())

    def deliver(self, lines: list[tuple[str, np.ndarray]]) -> None:
        """Router callback (DELIVER phase): queue driven lines for this tick's integration."""
        for side, ids in lines:
            self._inbox[side].append(ids)
        if not self._wake.triggered:
            self._wake.succeed()

    def _run(self):
        engine = self.engine
        while True:
            yield self._wake
            yield engine.barrier(Phase.INTEGRATE)
            self._wake = engine.env.event()  # every delivery of this tick came before this phase
            driven = self._integrate(engine.now)
            yield engine.barrier(Phase.FIRE)
            self._fire(engine.now, driven)

    def _integrate(self, now: int) -> list[str]:
        """Read the driven lines and integrate into the neurons across the array; return those sides."""
        integrated = []
        for side in ("rows", "cols"):
            if not self._inbox[side]:
                continue
            lines = np.concatenate(self._inbox[side])
            self._inbox[side].clear()
            receivers = self.neurons[_OTHER[side]]
            if receivers is None:
                continue
            seconds = self.engine.seconds(now)
            drive = (self.crossbar.read_forward(lines, seconds) if side == "rows"
                     else self.crossbar.read_backward(lines, seconds))
            self.ledger.add(self.name, _READ_KIND[side], lines.size)
            self.ledger.add(self.name, "synaptic_op", lines.size * receivers.size)
            self.ledger.add(self.name, "neuron_update", receivers.size)
            receivers.integrate(now, drive)
            integrated.append(_OTHER[side])
        return integrated

    def _fire(self, now: int, sides: list[str]) -> None:
        spikes = {}
        for side in sides:
            ids = self.neurons[side].fire(now)
            if ids.size:
                spikes[side] = ids
        if spikes:
            self.router.send(self.name, spikes)
