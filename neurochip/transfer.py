"""Transfer curves of stochastic LIF neurons: firing probability against mean input.

Following Neftci et al. 2014, a neuron counts as "on" for the refractory period after
each of its spikes, so P(on) = rate x refractory; a neuron that samples from a Boltzmann
distribution has P(on) = sigmoid((drive - offset) / width). ``measure`` drives one
neuron per drive value for ``duration`` and fits that sigmoid.

Drives: ``constant`` sets v_rest = drive (a steady current, for noise added to the
membrane: random walk, Gaussian); ``synaptic`` feeds every neuron a regular spike train
at ``input_rate`` through a weight drive / (input_rate x tau), so its mean steady-state
input equals drive (for 1/f read noise, which only acts when synapses are read).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit

from .description.chip import CoreSpec, whole_ticks
from .experiments import one_core_setup, run_setup


@dataclass
class TransferCurve:
    label: str
    drives: np.ndarray
    rates: np.ndarray  # Hz
    p_on: np.ndarray
    offset: float  # drive at P(on) = 1/2
    width: float  # sigmoid scale: P = 1 / (1 + exp(-(drive - offset) / width))
    misfit: float  # largest |P - fitted sigmoid|

    def fitted(self, drives: np.ndarray) -> np.ndarray:
        return sigmoid(drives, self.offset, self.width)


def clock_for(noise, tick: float) -> float:
    """The clock (s) to measure a noise circuit on: the chip's ``tick`` when the circuit's period is a whole
    number of ticks (or it has none), else the largest tick at most ``tick`` that divides the period, so the
    circuit steps at its own period (cores act on tick edges only)."""
    period = getattr(noise, "period", None)
    if period is None or (whole_ticks(period, tick) or 0) >= 1:
        return tick
    return period / np.ceil(period / tick)


def sigmoid(drives, offset, width):
    return 0.5 * (1 + np.tanh((np.asarray(drives) - offset) / (2 * width)))  # = 1 / (1 + exp(-x / width))


def fit_sigmoid(drives: np.ndarray, p_on: np.ndarray) -> tuple[float, float, float]:
    """Least-squares logistic fit (scipy); returns offset, width and the largest deviation."""
    inside = (p_on > 0.02) & (p_on < 0.98)
    offset = float(np.interp(0.5, *(np.maximum.accumulate(p_on), drives))) if p_on.max() >= 0.5 else drives[-1]
    width = max(float(np.ptp(drives[inside])) / 8, float(np.min(np.diff(drives))) / 4) if inside.any() \
        else float(np.min(np.diff(drives)))
    try:
        (offset, width), _ = curve_fit(sigmoid, drives, p_on, p0=(offset, width), maxfev=10_000)
    except RuntimeError:
        pass  # keep the initial estimate; the misfit says how good it is
    width = abs(width)
    return float(offset), float(width), float(np.max(np.abs(sigmoid(drives, offset, width) - p_on)))


def measure(core: CoreSpec, tick: float, drives: np.ndarray, duration: float, drive: str = "constant",
            input_rate: float = 10e3, seed: int = 0, label: str = "", **core_changes) -> TransferCurve:
    lif = core.neurons.cols or core.neurons.rows
    n = len(drives)
    if drive == "constant":
        setup = one_core_setup(core, tick, tick / 10, n, 1, np.zeros((1, n)), np.zeros(0), np.zeros(0),
                               duration, seed, **core_changes)
        run = run_setup(setup, rests=np.asarray(drives, float))  # one neuron per drive, one run
    else:
        weights = np.asarray(drives, float)[None, :] / (input_rate * lif.tau)
        times = np.arange(0.0, duration, 1 / input_rate)
        setup = one_core_setup(core, tick, tick / 10, n, 1, weights, times, np.zeros(times.size, int),
                               duration, seed, **core_changes)
        run = run_setup(setup)
    _, neuron = run.spike_trains()
    rates = np.bincount(neuron, minlength=n) / duration
    p_on = np.minimum(rates * lif.refractory, 1.0)
    offset, width, misfit = fit_sigmoid(np.asarray(drives, float), p_on)
    return TransferCurve(label, np.asarray(drives, float), rates, p_on, offset, width, misfit)
