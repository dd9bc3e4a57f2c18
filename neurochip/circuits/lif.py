"""Leaky integrate-and-fire neurons, vectorised over a population.

The membrane relaxes exactly between events,
    v(t) = v_rest + (v(t0) - v_rest) * exp(-(t - t0) / tau),
so no empty ticks are simulated. Input arrives as weight jumps (delta synapses). A
neuron at or above ``v_th`` after integrating spikes, is set to ``v_reset`` and ignores
input for the refractory period; its leak restarts when the period ends (the behaviour
of Brian2's ``(unless refractory)`` with input gated by ``not_refractory``).

With current synapses (``tau_syn``) input jumps a current I instead, I(t) = I0 exp(-t/tau_s),
which the membrane follows, tau dv/dt = v_rest + I - v; between events, exactly,
    v(t) = v_rest + (v0 - v_rest) exp(-t/tau) + I0 k(t),
    k(t) = tau_s / (tau_s - tau) (exp(-t/tau_s) - exp(-t/tau))   (t/tau exp(-t/tau) if tau_s = tau).
I keeps integrating and decaying through the refractory period, while v is held at v_reset
(Brian2's ``(unless refractory)`` on v alone). This is the synapse of neural sampling with
LIF neurons (Neftci et al. 2014: tau_syn 4 ms against a 1 ms membrane; Petrovici et al.,
Phys. Rev. E 94, 042312, 2016): a partner's spike acts for about tau_s, not for the membrane's
memory, and a refractory neuron does not lose it.
Times are integer clock ticks of ``tick`` seconds.
"""

from __future__ import annotations

import math

import numpy as np

from ..description.chip import LIFSpec


#: ticks covered by the current synapses' tables of decay factors (longer spans are computed)
_TABLE_TICKS = 4096


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
        #: synaptic current per neuron at ``updated_at`` (membrane units; current synapses only)
        self.current = np.zeros(size) if spec.tau_syn is not None else None
        if self.current is not None:  # factors by whole ticks elapsed, looked up instead of computed per update
            ticks = np.arange(_TABLE_TICKS)
            self._leak_table = np.exp(ticks * (-tick / spec.tau))
            self._kernel_table = self._kernel(ticks)
            self._current_table = np.exp(-ticks * (tick / spec.tau_syn))
        #: neurons allowed to fire; a clamped neuron (False) is held at v_reset and its line
        #: is driven from outside instead (the visible layer in an RBM's data phase)
        self.enabled = np.ones(size, dtype=bool)
        self._all_enabled = True

    def _kernel(self, ticks: np.ndarray | int) -> np.ndarray:
        """k(t): the potential a unit current at t = 0 adds at ``ticks`` later (module notes)."""
        t = np.asarray(ticks) * self.tick
        tau, tau_s = self.spec.tau, self.spec.tau_syn
        if math.isclose(tau, tau_s, rel_tol=1e-9):
            return t / tau * np.exp(-t / tau)
        return tau_s / (tau_s - tau) * (np.exp(-t / tau_s) - np.exp(-t / tau))

    def _current_at(self, now: int) -> np.ndarray:
        return self.current * math.exp((self.updated_at - now) * self.tick / self.spec.tau_syn)

    def _decayed(self, now: int) -> np.ndarray:
        if self.current is not None:
            return self._with_current(now)
        if self.last_ready <= self.updated_at:  # nobody refractory since the last update: one factor
            factor = math.exp((self.updated_at - now) * self.tick / self.spec.tau)
            return self.v_rest + (self.v - self.v_rest) * factor
        # a neuron leaks from the later of its last update and the end of its refractory period
        elapsed = now - np.maximum(self.ready_at, self.updated_at)
        np.maximum(elapsed, 0, out=elapsed)
        factor = np.exp(elapsed * (-self.tick / self.spec.tau))
        return self.v_rest + (self.v - self.v_rest) * factor

    def _with_current(self, now: int) -> np.ndarray:
        """Potentials at ``now`` with current synapses: a refractory neuron is held until ready_at, when
        the current has decayed to its value there."""
        start = np.maximum(self.ready_at, self.updated_at)
        elapsed = np.maximum(now - start, 0)
        held = np.minimum(start, now) - self.updated_at  # past now, elapsed is 0 and the held current unused
        if now - self.updated_at < _TABLE_TICKS:  # both spans are within the tables
            current_at_start = self.current * self._current_table[held]
            leak, kernel = self._leak_table[elapsed], self._kernel_table[elapsed]
        else:
            current_at_start = self.current * np.exp(-held * (self.tick / self.spec.tau_syn))
            leak, kernel = np.exp(elapsed * (-self.tick / self.spec.tau)), self._kernel(elapsed)
        return self.v_rest + (self.v - self.v_rest) * leak + current_at_start * kernel

    def potential_at(self, now: int) -> np.ndarray:
        """Membrane potentials at ``now`` without changing state (for observers)."""
        return self._decayed(now)

    def integrate(self, now: int, drive: np.ndarray | float, kicks: np.ndarray | None = None) -> None:
        """Leak to ``now``, then add synaptic ``drive`` (one value per neuron): to the potential of neurons
        not refractory (delta synapses) or to every neuron's current (current synapses). Noise ``kicks``
        go to the potential of neurons not refractory with either synapse."""
        self.v = self._decayed(now)
        if self.current is not None:
            self.current = self._current_at(now) + drive  # a refractory neuron's current takes input too
            self.updated_at = now
            if kicks is not None:
                self._add_unless_refractory(now, kicks)
            return
        self.updated_at = now
        self._add_unless_refractory(now, drive if kicks is None else drive + kicks)

    def _add_unless_refractory(self, now: int, jump: np.ndarray | float) -> None:
        if self.last_ready <= now:
            self.v += jump
        else:
            self.v += np.where(self.ready_at <= now, jump, 0.0)

    def next_crossing(self, now: int) -> int | None:
        """The first tick after ``now`` at which a neuron may reach threshold with no further input.

        A neuron driven by ``v_rest > v_th``: exactly, from v0 the crossing comes
        tau ln((v_rest - v0) / (v_rest - v_th)) later. With current synapses, a neuron whose
        v_rest + I is at or above threshold may cross at any tick while I decays (v never
        exceeds the larger of v0 and v_rest + I): the next tick at which it is not refractory.
        """
        crossings = [self._driven_crossing(now)]
        if self.current is not None:
            pushed = np.flatnonzero(self.enabled & (self.v_rest + self._current_at(now) >= self.spec.v_th))
            if pushed.size:
                crossings.append(max(int(self.ready_at[pushed].min()), now + 1))
        crossings = [t for t in crossings if t is not None]
        return min(crossings) if crossings else None

    def _driven_crossing(self, now: int) -> int | None:
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
