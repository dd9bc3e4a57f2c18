"""The event engine: a ``simpy.Environment`` in integer clock ticks, with one phase order.

Simulated time is an integer number of chip clock ticks (``Engine.tick`` seconds each),
so that times add exactly and events meant to coincide do coincide.

Same-time order
---------------
Everything that happens at one tick happens in this order, for all cores together:

1. ``DELIVER``   the router hands arriving packets to their cores;
2. ``INTEGRATE`` cores with input decay their membranes to now and add synaptic input;
3. ``FIRE``      neurons at threshold spike and reset; input sources emit;
4. ``LEARN``     update controllers act on the spikes of this tick;
5. ``RECORD``    observers sample state.

A spike fired at tick t is delivered no earlier than tick t + 1 (router latency is
positive), so a tick never feeds itself. The order is implemented with SimPy event
priorities: events of one time are processed by ascending priority, and every phase
priority is above SimPy's own (``URGENT`` = 0, ``NORMAL`` = 1). Because no spike fired
at t reaches anyone before t + 1, a core fires right after it integrates: every core's
integration follows every delivery of the tick, and every firing precedes learning and
recording, which is all the order promises.
"""

from __future__ import annotations

import math
from enum import IntEnum

import simpy
from simpy.events import Event


class Phase(IntEnum):
    DELIVER = 2
    INTEGRATE = 3
    FIRE = 4
    LEARN = 5
    RECORD = 6


class At(Event):
    """An event that fires ``delay`` ticks from now in ``phase`` (a Timeout with a phase)."""

    def __init__(self, env: simpy.Environment, delay: int, phase: Phase):
        super().__init__(env)
        self._ok = True
        self._value = None
        self.time = env.now + delay
        env.schedule(self, int(phase), delay)


class Engine:
    """Owns the SimPy environment; hands out phase events; runs until a time or a stop request."""

    def __init__(self, tick: float):
        if not tick > 0:
            raise ValueError("tick must be positive")
        self.tick = float(tick)
        self.env = simpy.Environment()
        self._barriers: dict[Phase, Event] = {}
        self.stop_requested = False

    @property
    def now(self) -> int:
        return self.env.now

    def seconds(self, ticks) -> float:
        return ticks * self.tick

    def ticks(self, seconds: float) -> int:
        """Seconds to the nearest whole number of ticks."""
        return round(seconds / self.tick)

    def delay_ticks(self, seconds: float) -> int:
        """A positive delay in whole ticks: the first tick edge at or after ``seconds``, at least 1.

        Cores act on tick edges, so a packet arriving between two edges is seen at the next.
        """
        return max(1, math.ceil(seconds / self.tick - 1e-9))

    def at(self, delay: int, phase: Phase) -> Event:
        return At(self.env, delay, phase)

    def barrier(self, phase: Phase) -> Event:
        """An event in ``phase`` of the current tick, shared by every process asking for it."""
        event = self._barriers.get(phase)
        if event is None or event.processed or event.time != self.now:
            event = self._barriers[phase] = At(self.env, 0, phase)
        return event

    def process(self, generator) -> simpy.Process:
        return self.env.process(generator)

    def run(self, until: int, progress=None, progress_every: int = 2048) -> int:
        """Process events up to ``until`` ticks (inclusive of events at ``until``).

        Returns the time reached. Stops early, between two events, when
        ``stop_requested`` is set (e.g. by a SIGINT handler). ``progress(now)`` is
        called every ``progress_every`` events.
        """
        env = self.env
        steps = 0
        while not self.stop_requested:
            next_time = env.peek()
            if next_time > until:
                break
            env.step()
            steps += 1
            if progress is not None and steps % progress_every == 0:
                progress(env.now)
        if not self.stop_requested and env.now < until:
            # nothing left to do before ``until``: jump there (idle time costs nothing)
            env.run(until=until)
        if progress is not None:
            progress(env.now)
        return env.now
