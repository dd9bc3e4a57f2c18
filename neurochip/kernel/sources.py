"""Input spike sources: Poisson trains at given rates, and spikes at given times.

A source is a SimPy process that emits, in the FIRE phase of each tick with spikes,
one packet through the router, like a core, and sleeps in between. Its channels are
its ``"out"`` side.
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


def poisson_events(rates: np.ndarray, begin: int, end: int, tick: float, rng: np.random.Generator,
                   channels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Poisson spikes in ticks [begin, end): counts Poisson(rate x span) per channel, times uniform.

    ``channels`` names the channels of ``rates`` (default 0, 1, ...); not yet deduplicated.
    """
    rates = np.broadcast_to(np.asarray(rates, float), (len(channels),) if channels is not None else np.shape(rates))
    counts = rng.poisson(rates * (end - begin) * tick)
    ids = np.repeat(np.arange(rates.size) if channels is None else np.asarray(channels), counts)
    return rng.integers(begin, end, ids.size), ids


def dead_time_events(rate: float, dead_time: float, begin: int, end: int, tick: float, rng: np.random.Generator,
                     channels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stationary Poisson trains with a dead time: after each spike a channel is silent for
    ``dead_time`` s, then fires again after an exponential wait; mean rate ``rate`` Hz.

    A line driven this way is "on" (spiked within the last dead time) a fraction
    rate x dead_time of the time, like a neuron of that refractory period firing at that
    rate. Needs rate x dead_time < 1. Trains start five mean intervals before ``begin``
    so that they are in their stationary state at ``begin``.
    """
    channels = np.asarray(channels, np.int64)
    if rate * dead_time >= 1:
        raise ValueError(f"a rate of {rate:g} Hz needs a dead time below {1 / rate:g} s, got {dead_time:g} s")
    if channels.size == 0 or rate <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    wait = 1 / rate - dead_time  # mean of the exponential part of each interval, s
    warm_up = 5 / rate
    span = (end - begin) * tick + warm_up
    n = int(np.ceil(span * rate + 6 * np.sqrt(span * rate) + 8))
    times = np.cumsum(dead_time + rng.exponential(wait, (channels.size, n)), axis=1) - warm_up
    while np.any(times[:, -1] < (end - begin) * tick):  # a rare long run of waits: extend every train
        more = np.cumsum(dead_time + rng.exponential(wait, (channels.size, n)), axis=1)
        times = np.concatenate([times, times[:, -1:] + more], axis=1)
    keep = (times >= 0) & (times < (end - begin) * tick)
    ticks = begin + np.floor(times[keep] / tick).astype(np.int64)
    return ticks, np.broadcast_to(channels[:, None], times.shape)[keep]


class SpikeSource:
    """Base: a named block of ``size`` channels that sends its spikes through the router."""

    def __init__(self, name: str, size: int, engine: Engine, router: Router):
        self.name = name
        self.size = size
        self.engine = engine
        self.router = router
        engine.process(self._run())

    def _run(self):
        raise NotImplementedError

    def _emit(self, ticks: np.ndarray, channels: np.ndarray):
        """Send the given events, one packet per tick, each in the FIRE phase of its tick."""
        engine = self.engine
        for tick, ids in _group_by_tick(ticks, channels, self.size):
            yield engine.at(tick - engine.now, Phase.FIRE)
            self.router.send(self.name, {"out": ids})


class PoissonSource(SpikeSource):
    """Independent Poisson trains at ``rates`` (Hz, one per channel), quantised to ticks.

    Spikes are drawn a window at a time (bounded memory): counts per channel are
    Poisson(rate x window) and their times uniform within the window. Two spikes of one
    channel in one tick merge into one (at 200 Hz and 1 us ticks, probability 2e-4 per spike).
    """

    window_ticks = 1 << 14

    def __init__(self, name, rates: np.ndarray, rng: np.random.Generator, engine, router,
                 start: int = 0, stop: int | None = None):
        self.rates = np.asarray(rates, dtype=float)
        self.rng = rng
        self.start, self.stop = start, stop
        super().__init__(name, self.rates.size, engine, router)

    def _run(self):
        engine = self.engine
        begin = self.start
        while self.stop is None or begin < self.stop:
            end = begin + self.window_ticks if self.stop is None else min(begin + self.window_ticks, self.stop)
            yield from self._emit(*poisson_events(self.rates, begin, end, engine.tick, self.rng))
            begin = end
            if begin > engine.now:
                yield engine.at(begin - engine.now, Phase.FIRE)


class SpikeTimesSource(SpikeSource):
    """Spikes at given times (s, rounded to the nearest tick) on given channels."""

    def __init__(self, name, size: int, times: np.ndarray, channels: np.ndarray, engine, router):
        self.ticks = np.rint(np.asarray(times, float) / engine.tick).astype(np.int64)
        self.channels = np.asarray(channels, np.int64)
        super().__init__(name, size, engine, router)

    def _run(self):
        yield from self._emit(self.ticks, self.channels)


class ScheduledSource(SpikeSource):
    """Spikes handed over while the run goes (a learning mode presenting one sample after another).

    ``schedule(ticks, channels)`` queues events at or after the current tick; the source
    sleeps while it has nothing queued.
    """

    def __init__(self, name, size: int, engine, router):
        self._queue: list[tuple[np.ndarray, np.ndarray]] = []
        self._waiting = None  # the event the idle source sleeps on
        super().__init__(name, size, engine, router)

    def schedule(self, ticks: np.ndarray, channels: np.ndarray) -> None:
        ticks = np.asarray(ticks, np.int64)
        if ticks.size and ticks.min() <= self.engine.now:
            raise ValueError("scheduled spikes must lie after the current tick")
        self._queue.append((ticks, np.asarray(channels, np.int64)))
        if self._waiting is not None and not self._waiting.triggered:
            self._waiting.succeed()

    def _run(self):
        while True:
            while not self._queue:
                self._waiting = self.engine.env.event()
                yield self._waiting
                self._waiting = None
            ticks, channels = self._queue.pop(0)
            yield from self._emit(ticks, channels)
