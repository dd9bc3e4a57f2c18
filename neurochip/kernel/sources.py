"""Input spike sources: Poisson trains at given rates, and spikes at given times.

A source is a SimPy process that emits, in the FIRE phase of each tick with spikes,
one packet through the router, like a core. Its channels are its ``"out"`` side.
"""

from __future__ import annotations

import numpy as np

from .engine import Engine, Phase
from .router import Router


def _group_by_tick(ticks: np.ndarray, channels: np.ndarray, size: int):
    """Unique (tick, channel) events in time order, yielded as (tick, channels) per tick."""
    keys = np.unique(ticks.astype(np.int64) * size + channels)
    ticks, channels = np.divmod(keys, size)
    starts = np.flatnonzero(np.diff(ticks, prepend=-1))
    for begin, end in zip(starts, np.append(starts[1:], ticks.size)):
        yield int(ticks[begin]), channels[begin:end]


class SpikeSource:
    """Base: emits grouped events; subclasses say which events fall in a window of ticks."""

    window_ticks = 1 << 14

    def __init__(self, name: str, size: int, engine: Engine, router: Router,
                 start: int = 0, stop: int | None = None):
        self.name = name
        self.size = size
        self.engine = engine
        self.router = router
        self.start, self.stop = start, stop
        engine.process(self._run())

    def events(self, begin: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """(ticks, channels) of the spikes in [begin, end)."""
        raise NotImplementedError

    def last_tick(self) -> int | None:
        """The tick after which this source never emits again (None: runs for ever)."""
        return self.stop

    def _run(self):
        engine = self.engine
        begin = self.start
        last = self.last_tick()
        while last is None or begin <= last:
            end = begin + self.window_ticks if last is None else min(begin + self.window_ticks, last + 1)
            ticks, channels = self.events(begin, end)
            for tick, ids in _group_by_tick(ticks, channels, self.size):
                yield engine.at(tick - engine.now, Phase.FIRE)
                self.router.send(self.name, {"out": ids})
            begin = end
            if begin > engine.now:
                yield engine.at(begin - engine.now, Phase.FIRE)


class PoissonSource(SpikeSource):
    """Independent Poisson trains at ``rates`` (Hz, one per channel), quantised to ticks.

    Spike counts per channel and window are Poisson(rate x window); their times are
    uniform within the window. Two spikes of one channel in one tick merge into one
    (at 200 Hz and 1 us ticks that happens with probability 2e-4 per spike).
    """

    def __init__(self, name, rates: np.ndarray, rng: np.random.Generator, engine, router, start=0, stop=None):
        self.rates = np.asarray(rates, dtype=float)
        self.rng = rng
        super().__init__(name, self.rates.size, engine, router, start, stop)

    def events(self, begin, end):
        counts = self.rng.poisson(self.rates * (end - begin) * self.engine.tick)
        channels = np.repeat(np.arange(self.size), counts)
        return self.rng.integers(begin, end, channels.size), channels


class SpikeTimesSource(SpikeSource):
    """Spikes at given times (s, rounded to the nearest tick) on given channels."""

    def __init__(self, name, size: int, times: np.ndarray, channels: np.ndarray, engine, router):
        order = np.argsort(times, kind="stable")
        self.ticks = np.rint(np.asarray(times, float)[order] / engine.tick).astype(np.int64)
        self.channels = np.asarray(channels, np.int64)[order]
        super().__init__(name, size, engine, router, 0, int(self.ticks[-1]) if self.ticks.size else -1)

    def events(self, begin, end):
        lo, hi = np.searchsorted(self.ticks, [begin, end])
        return self.ticks[lo:hi], self.channels[lo:hi]
