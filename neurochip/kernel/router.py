"""The AER router: packets of spikes from cores and inputs to the lines of cores.

A packet carries every spike its sender emitted in one tick, grouped by the sender's
side ("rows", "cols", or "out" for an input source). Each route maps one sending side
onto a line range of a receiving core. Cores sit on a 2-D mesh; a packet to a core
``h`` links away costs ``h`` hops and arrives after ``latency + h * hop_latency``,
rounded up to the next tick edge of the receiver (at least one tick later).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from ..ledger import Ledger
from .engine import Engine, Phase


class Receiver(Protocol):
    name: str

    def deliver(self, lines: list[tuple[str, np.ndarray]]) -> None: ...


@dataclass(frozen=True)
class Route:
    target: Receiver
    side: str
    offset: int
    delay: int  # ticks
    hops: int


SpikeObserver = Callable[[str, str, int, np.ndarray], None]


class Router:
    def __init__(self, engine: Engine, ledger: Ledger, latency: float, hop_latency: float = 0.0):
        self.engine = engine
        self.ledger = ledger
        self.latency = latency
        self.hop_latency = hop_latency
        self.positions: dict[str, tuple[int, int]] = {}
        self._routes: defaultdict[tuple[str, str], list[Route]] = defaultdict(list)
        #: called as observer(sender, side, tick, neuron_ids) for every spike group sent
        self.observers: list[SpikeObserver] = []

    def place(self, name: str, position: tuple[int, int]) -> None:
        self.positions[name] = position

    def hops(self, source: str, target: str) -> int:
        """Manhattan distance on the mesh; senders off the mesh (inputs) enter at the target."""
        if source not in self.positions or target not in self.positions:
            return 0
        (x0, y0), (x1, y1) = self.positions[source], self.positions[target]
        return abs(x0 - x1) + abs(y0 - y1)

    def connect(self, source: str, source_side: str, target: Receiver, target_side: str, offset: int = 0) -> None:
        hops = self.hops(source, target.name)
        delay = self.engine.delay_ticks(self.latency + hops * self.hop_latency)
        self._routes[(source, source_side)].append(Route(target, target_side, offset, delay, hops))

    def send(self, source: str, spikes: dict[str, np.ndarray]) -> None:
        """Send one packet: ``spikes`` maps each sending side to the neuron ids that spiked now."""
        now = self.engine.now
        self.ledger.add(source, "packet")
        deliveries: defaultdict[tuple[int, int], list] = defaultdict(list)
        targets: dict[int, Route] = {}
        for side, ids in spikes.items():
            self.ledger.add(source, "spike", ids.size)
            for observer in self.observers:
                observer(source, side, now, ids)
            for route in self._routes.get((source, side), ()):
                key = (id(route.target), route.delay)
                deliveries[key].append((route.side, ids + route.offset if route.offset else ids))
                targets[key] = route
        for key, lines in deliveries.items():
            route = targets[key]
            self.ledger.add(source, "hop", route.hops)
            event = self.engine.at(route.delay, Phase.DELIVER)
            event.callbacks.append(lambda _event, target=route.target, lines=lines: target.deliver(lines))
