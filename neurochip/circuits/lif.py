"""Leaky integrate-and-fire neurons, vectorised over a population.

The membrane relaxes exactly between events,
    v(t) = v_rest + (v(t0) - v_rest) * exp(-(t - t0) / tau),
so no empty ticks are simulated. Input arrives as weight jumps (delta synapses). A
neuron at or above ``v_th`` after integrating spikes, is set to ``v_reset`` and ignores
input for the refractory period; its leak restarts when the period ends (the behaviour
of Brian2's ``(unless refractory)`` with input gated by ``not_refractory``).
Times are integer clock ticks of ``tick`` seconds.
"""

from __future__ import annotations

import math

import numpy as np

from ..description.chip import LIFSpec


class LIFPopulation:
    def __init__(self, spec: LIFSpec, size: int, tick: float):
        self.spec = spec
        self.size = size
        self.tick = tick
        self.refractory_ticks = round(spec.refractory / tick)
        self.set_rest(np.full(size, spec.v_rest))
        self.v = np.full(size, spec.initial_potential())
        #: first tick at which each neuron accepts input again
        self.ready_at = np.zeros(size, dtype=np.int64)
        self.last_ready = 0  # the latest ready_at: when it is past, nobody is refractory
        self.updated_at = 0
        #: neurons allowed to fire; a clamped neuron (False) is held at v_reset and its line
        #: is driven from outside instead (the visible layer in an RBM's data phase)
        self.enabled = np.ones(size, dtype=bool)
        self._all_enabled = True

    def _decayed(self, now: int) -> np.ndarray:
        if self.last_ready <= self.updated_at:  # nobody refractory since the last update: one factor
            factor = math.exp((self.updated_at - now) * self.tick / self.spec.tau)
            return self.v_rest + (self.v - self.v_rest) * factor
        # a neuron leaks from the later of its last update and the end of its refractory period
        elapsed = now - np.maximum(self.ready_at, self.updated_at)
        np.maximum(elapsed, 0, out=elapsed)
        factor = np.exp(elapsed * (-self.tick / self.spec.tau))
        return self.v_rest + (self.v - self.v_rest) * factor

    def potential_at(self, now: int) -> np.ndarray:
        """Membrane potentials at ``now`` without changing state (for observers)."""
        return self._decayed(now)

    def integrate(self, now: int, drive: np.ndarray) -> None:
        """Leak to ``now``, then add ``drive`` (one value per neuron) to neurons not refractory."""
        self.v = self._decayed(now)
        self.updated_at = now
        if self.last_ready <= now:
            self.v += drive
        else:
            self.v += np.where(self.ready_at <= now, drive, 0.0)

    def next_crossing(self, now: int) -> int | None:
        """The first tick after ``now`` at which a neuron driven by ``v_rest > v_th`` reaches threshold unaided.

        Exact: from v0 at time t0 the crossing comes tau ln((v_rest - v0) / (v_rest - v_th)) later.
        """
        spec = self.spec
        driven = self._driven
        if driven.size == 0:
            return None
        rest = self.v_rest[driven]
        start = np.maximum(self.ready_at[driven], now)
        v0 = np.minimum(self.potential_at(now)[driven], spec.v_th)  # refractory neurons hold v_reset until start
        delay = spec.tau * np.log((rest - v0) / (rest - spec.v_th))
        ticks = start + np.ceil(delay / self.tick - 1e-9).astype(np.int64)
        return max(int(ticks.min()), now + 1)

    def set_rest(self, v_rest: np.ndarray) -> None:
        """Give every neuron its own resting potential (a constant drive); call before the run starts."""
        #: resting potential per neuron (a constant drive where it differs from the spec's v_rest)
        self.v_rest = np.broadcast_to(np.asarray(v_rest, float), (self.size,)).copy()
        self._driven = np.flatnonzero(self.v_rest > self.spec.v_th)

    def set_enabled(self, enabled: np.ndarray) -> None:
        """Clamp (False) or release (True) neurons; clamped ones are held at v_reset."""
        self.enabled = np.broadcast_to(np.asarray(enabled, bool), (self.size,)).copy()
        self._all_enabled = bool(self.enabled.all())
        self.v[~self.enabled] = self.spec.v_reset

    def fire(self, now: int) -> np.ndarray:
        """Indices of neurons at threshold; they are reset and made refractory."""
        if not self._all_enabled:
            self.v[~self.enabled] = self.spec.v_reset
        spiking = np.flatnonzero(self.v >= self.spec.v_th)
        if spiking.size:
            self.v[spiking] = self.spec.v_reset
            self.ready_at[spiking] = now + self.refractory_ticks
            self.last_ready = now + self.refractory_ticks
        return spiking
