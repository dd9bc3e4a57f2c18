"""A chip core as a SimPy process: a crossbar with LIF neurons on its rows and/or columns.

The core sleeps until something is due: a packet, a tick of its noise circuit, or the
moment a neuron driven above threshold by a constant drive (``v_rest > v_th``) crosses
it. At such a tick it integrates (leak to now, read only the driven lines of its
crossbar, add noise kicks), then fires; the spikes of both its sides leave as one
packet. The kernel knows nothing else of the physics: crossbar, neurons and noise are
plugged in.
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
_NO_LINES = np.zeros(0, dtype=np.int64)  # shared, never written to


class Core:
    def __init__(self, name: str, crossbar: Crossbar, neurons: dict[str, LIFPopulation | None],
                 engine: Engine, router: Router, ledger: Ledger,
                 noise: dict[str, object] | None = None, noise_period: float | None = None,
                 controller=None):
        self.name = name
        self.crossbar = crossbar
        #: neurons by side; ``None`` where a side has none
        self.neurons = neurons
        #: per-period membrane noise sources by side (random walk, Gaussian kicks)
        self.noise = noise or {}
        #: update controller (LEARN): pulses the crossbar from this tick's row activations and column spikes
        self.controller = controller
        self._driven = {"rows": _NO_LINES, "cols": _NO_LINES}
        self.engine = engine
        self.router = router
        self.ledger = ledger
        self._inbox: dict[str, list[np.ndarray]] = {"rows": [], "cols": []}
        self._wake = engine.env.event()
        self._noise_due = False
        self._timer_due = False
        self._woken_in_integrate = False  # woken by a clock in the INTEGRATE phase: deliveries are done
        self._timer_at: int | None = None
        self._noise_period = engine.delay_ticks(noise_period) if self.noise else None
        self._noise_clock_running = False
        engine.process(self._run())
        self.set_noise(True)

    def deliver(self, lines: list[tuple[str, np.ndarray]]) -> None:
        """Router callback (DELIVER phase): queue driven lines for this tick's integration."""
        for side, ids in lines:
            self._inbox[side].append(ids)
        self._wake_up()

    def _wake_up(self) -> None:
        if not self._wake.triggered:
            self._wake.succeed()

    def set_noise(self, on: bool) -> None:
        """Gate the noise circuit's clock; while it is off, an idle core sleeps."""
        self.noise_on = on and bool(self.noise)
        if self.noise_on and not self._noise_clock_running:
            self._noise_clock_running = True
            self.engine.process(self._noise_clock(self._noise_period))

    def _noise_clock(self, period: int):
        while True:
            yield self.engine.at(period, Phase.INTEGRATE)
            if not self.noise_on:
                self._noise_clock_running = False
                return
            self._noise_due = True
            self._woken_in_integrate = True
            self._wake_up()

    def _arm_timer(self, now: int) -> None:
        """Wake at the next unaided threshold crossing, if a constant drive makes one."""
        crossings = [pop.next_crossing(now) for pop in self.neurons.values() if pop is not None]
        crossings = [t for t in crossings if t is not None]
        if not crossings or (self._timer_at is not None and self._timer_at <= min(crossings)):
            return
        self._timer_at = min(crossings)
        event = self.engine.at(self._timer_at - now, Phase.INTEGRATE)
        event.callbacks.append(lambda _event, at=self._timer_at: self._timer_fired(at))

    def _timer_fired(self, at: int) -> None:
        if self._timer_at == at:
            self._timer_at = None
            self._timer_due = True
            self._woken_in_integrate = True
            self._wake_up()

    def _run(self):
        engine = self.engine
        self._arm_timer(engine.now)  # at the start of the run, once every block is set up
        while True:
            yield self._wake
            if not self._woken_in_integrate:  # woken by a delivery: let the tick's other deliveries land
                yield engine.barrier(Phase.INTEGRATE)
            self._woken_in_integrate = False
            self._wake = engine.env.event()  # every delivery of this tick came before this phase
            # integrate and fire back to back: no core's firing at this tick can reach another
            # core before the next tick, so all integrations need not finish before any firing
            updated = self._integrate(engine.now)
            spikes = self._fire(engine.now, updated)
            if self.controller is not None:
                self._learn(engine.now, spikes)
            self._arm_timer(engine.now)

    def _integrate(self, now: int) -> list[str]:
        """Leak, read the driven lines, add noise; return the sides whose neurons were updated."""
        drives: dict[str, np.ndarray] = {}
        seconds = self.engine.seconds(now)
        for side in ("rows", "cols"):
            if not self._inbox[side]:
                continue
            lines = np.concatenate(self._inbox[side])
            self._inbox[side].clear()
            self._driven[side] = lines
            receiving = _OTHER[side]
            receivers = self.neurons[receiving]
            if receivers is None:
                continue
            drives[receiving] = (self.crossbar.read_forward(lines, seconds) if side == "rows"
                                 else self.crossbar.read_backward(lines, seconds))
            self.ledger.add(self.name, _READ_KIND[side], lines.size)
            self.ledger.add(self.name, "synaptic_op", lines.size * receivers.size)
            self.ledger.measure(self.name, "read_conductance", self.crossbar.last_read_conductance)
        kicks: dict[str, np.ndarray] = {}
        if self._noise_due:
            self._noise_due = False
            for side, source in self.noise.items():
                kicks[side] = source.kicks()
                drives.setdefault(side, 0.0)
                self.ledger.add(self.name, "noise_step", self.neurons[side].size)
        if self._timer_due:
            self._timer_due = False
            for side, pop in self.neurons.items():
                if pop is not None and side not in drives:
                    drives[side] = np.zeros(pop.size)
        for side, drive in drives.items():
            self.neurons[side].integrate(now, drive, kicks.get(side))
            self.ledger.add(self.name, "neuron_update", self.neurons[side].size)
        return list(drives)

    def _fire(self, now: int, sides: list[str]) -> dict[str, np.ndarray]:
        spikes = {}
        for side in sides:
            ids = self.neurons[side].fire(now)
            if ids.size:
                spikes[side] = ids
        if spikes:
            self.router.send(self.name, spikes)
        return spikes

    def _learn(self, now: int, spikes: dict[str, np.ndarray]) -> None:
        """Pair this tick's row and column activity and pulse the cells the controller names.

        A row is active when its line is driven. On a core with neurons on both sides a
        column is active when its line is driven too: the column neurons' own spikes come
        back on their lines one latency later, like the rows', and lines driven from
        outside (an RBM's bias columns) take part in learning. On a core with column
        neurons only, the columns' activity is their neurons' spikes.
        """
        rows, cols = self._driven["rows"], self._driven["cols"]
        self._driven = {"rows": _NO_LINES, "cols": _NO_LINES}
        if self.neurons["rows"] is None:
            cols = spikes.get("cols", _NO_LINES)
        if rows.size == 0 and cols.size == 0:
            return
        if cols.size > 1:  # a column line driven twice in a tick pairs once
            cols = np.unique(cols)
        cells, signs = self.controller.update(now, rows, cols)
        if cells.size:
            self.crossbar.pulse(cells, signs, self.engine.seconds(now))
