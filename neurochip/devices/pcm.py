"""Phase-change memory devices, vectorised over an array, and the 6T-2R pair built from them.

Model (parameters in ``PCMPairSpec``; state kept as u = G / g_max):

* SET-only partial pulses. From position x = (G - g_min) / (g_max - g_min) the mean
  step is ``dw_min * (exp(-gamma x) - exp(-gamma)) / (1 - exp(-gamma))`` of the range:
  dw_min when empty, shrinking to zero at g_max (an exponential-step fit as used for
  aihwkit's PCM preset, Nandakumar et al. 2020). Each device has its own dw_min
  (``dw_min_dtod``); each pulse its own factor (1 + dw_min_std xi).
* RESET is abrupt: G = g_min.
* Programming noise on program-and-verify: std 0.26348 + 1.9650 u - 1.1731 u^2 uS at
  g_max = 25 uS (Nandakumar et al. 2019 via aihwkit's PCMLikeNoiseModel), scaled with g_max.
* Drift: G(t) = G_prog (max(t - t_prog, t0) / t0)^-nu, with nu ~ |N(mu(u), sigma(u))|,
  mu = clip(-0.0155 ln u + 0.0244, 0.049, 0.1), sigma = clip(-0.0125 ln u - 0.0059, 0.008, 0.045)
  (same source). Every programming event (a pulse, a RESET, a re-program) restarts the
  device's drift clock; nu is drawn again for the new state.
* Read noise, 1/f in character: each read multiplies G by (1 + Q xi) with
  Q = q sqrt(ln((t + t_read) / (2 t_read))), q = min(0.0088 / u_prog^0.65, 0.2), t the
  time since programming: the integral of a 1/f spectrum over the band 1/t .. 1/(2 t_read).
  As in aihwkit, q follows the programmed state, so it is computed once per programming.
  A pair's read draws one normal per cell: G+ xi+ - G- xi- is normal with the combined std.

The G+ and G- devices of all cells live in one bank; block reads and SET pulses run as
compiled loops (``pcm_kernels``), everything else as numpy on the bank.
"""

from __future__ import annotations

import numpy as np

from ..description.devices import PCMPairSpec
from .base import Counter, pulse_block_by_cells, pulse_counts_one_by_one, spread
from .pcm_kernels import read_block, set_pulses

_TINY = 1e-6
#: batches of SET pulses below this size run compiled, larger ones as numpy: the two tie at about
#: 1,000 devices on a 2-core machine (64: 16 vs 85 us; 16,384: 14 vs 8 ms)
_COMPILED_BELOW = 1024


def mean_step(x: np.ndarray, dw_min: float, gamma: float) -> np.ndarray:
    """Mean SET step (fraction of the range) at position x in [0, 1] of the range."""
    if gamma == 0:
        return np.where(x < 1, dw_min, 0.0)
    floor = np.exp(-gamma)
    return dw_min * np.maximum((np.exp(-gamma * x) - floor) / (1 - floor), 0.0)


def prog_noise_std(u: np.ndarray, g_max: float) -> np.ndarray:
    """Programming-noise std (S) at normalised target u (Nandakumar 2019 fit at 25 uS)."""
    return (0.26348 + 1.9650 * u - 1.1731 * u**2) * 1e-6 * (g_max / 25e-6)


def drift_exponents(u: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Drift exponents nu of devices at normalised conductance u, for standard normal draws ``normals``."""
    log_u = np.log(np.maximum(u, _TINY))
    mu = np.minimum(np.maximum(-0.0155 * log_u + 0.0244, 0.049), 0.1)
    sigma = np.minimum(np.maximum(-0.0125 * log_u - 0.0059, 0.008), 0.045)
    return np.abs(mu + sigma * normals)


def read_noise_q(u_prog: np.ndarray) -> np.ndarray:
    """Read-noise amplitude q of devices programmed to normalised conductance ``u_prog``."""
    return np.minimum(0.0088 / np.maximum(u_prog, _TINY) ** 0.65, 0.2)


def read_noise_std(q: np.ndarray, since: np.ndarray, t_read: float) -> np.ndarray:
    """Relative std of one read, ``since`` s after programming, for amplitude ``q``."""
    return q * np.sqrt(np.log(np.maximum((since + t_read) / (2 * t_read), 1.0)))


class PCMDevices:
    """N PCM devices (flat). ``now`` is in seconds everywhere.

    A pair array keeps its G+ and G- devices in one bank of 2N (G+ first) and hands out
    each half as a view (``part``): one call then serves both devices of a read or a
    batch of pulses.
    """

    _STATE = ("u", "t_prog", "nu", "q", "dw")

    def __init__(self, size: int, spec: PCMPairSpec, rng: np.random.Generator):
        self.spec = spec
        self.rng = rng
        self.u_min = spec.g_min / spec.g_max
        self.u = np.full(size, self.u_min)  # normalised G at programming
        self.t_prog = np.zeros(size)
        self.nu = drift_exponents(self.u, rng.standard_normal(size)) if spec.drift else np.zeros(size)
        self.q = read_noise_q(self.u)
        self.dw = spread(spec.dw_min, spec.dw_min_dtod, rng, size)

    def part(self, part: slice) -> "PCMDevices":
        """The devices ``part`` of this bank; their state is shared, not copied."""
        view = object.__new__(PCMDevices)
        view.spec, view.rng, view.u_min = self.spec, self.rng, self.u_min
        for name in self._STATE:
            setattr(view, name, getattr(self, name)[part])
        return view

    def _programmed(self, idx, u_new, now, nu_normals=None):
        """Devices ``idx`` now hold ``u_new``: their drift clock restarts with a new exponent
        (from ``nu_normals`` where the caller drew them already) and read-noise amplitude."""
        self.u[idx] = u_new
        self.t_prog[idx] = now
        self.q[idx] = read_noise_q(u_new)
        if self.spec.drift:
            normals = self.rng.standard_normal(np.shape(u_new)) if nu_normals is None else nu_normals
            self.nu[idx] = drift_exponents(u_new, normals)

    def value(self, now: float, idx=slice(None)) -> np.ndarray:
        """Normalised conductance u at ``now`` (drift applied, no read noise)."""
        u = self.u[idx]
        if not self.spec.drift:
            return u.copy()
        elapsed = now - self.t_prog[idx]
        if elapsed.size == 0 or elapsed.max() <= self.spec.drift_t0:
            return u.copy()  # nothing has drifted yet: skip the powers
        np.maximum(elapsed, self.spec.drift_t0, out=elapsed)
        return u * (elapsed / self.spec.drift_t0) ** -self.nu[idx]

    def read_std(self, now: float, idx=slice(None)) -> np.ndarray:
        """Relative read-noise std of the devices ``idx`` at ``now``."""
        return read_noise_std(self.q[idx], now - self.t_prog[idx], self.spec.t_read)

    def read(self, now: float, idx=slice(None)) -> np.ndarray:
        """Normalised conductance as one read sees it (drift and read noise)."""
        u = self.value(now, idx)
        if self.spec.read_noise:
            u = u * (1 + self.read_std(now, idx) * self.rng.standard_normal(u.shape))
        return u

    def set_pulse(self, idx: np.ndarray, now: float) -> None:
        """One partial SET pulse on each device in ``idx`` (distinct indices): the mean step
        ``mean_step`` at the drifted position, this device's dw_min, the cycle-to-cycle factor,
        then a new drift exponent and read-noise amplitude.

        Small batches (an event's pulses) run as a compiled loop (pcm_kernels), large ones
        (an action pulsing a whole block) as vectorised numpy, which is faster there; both
        draw the same normals in the same order and give the same result.
        """
        spec = self.spec
        idx = np.asarray(idx, np.int64)
        step_normals = self.rng.standard_normal(idx.size) if spec.dw_min_std else np.zeros(idx.size)
        nu_normals = self.rng.standard_normal(idx.size) if spec.drift else np.zeros(0)
        if idx.size < _COMPILED_BELOW:
            set_pulses(self.u, self.t_prog, self.nu, self.q, self.dw, idx, float(now), self.u_min, float(spec.gamma),
                       float(spec.dw_min_std), step_normals, spec.drift, float(spec.drift_t0), nu_normals)
            return
        span = 1 - self.u_min
        u = self.value(now, idx)
        x = np.minimum(np.maximum((u - self.u_min) / span, 0.0), 1.0)
        step = mean_step(x, 1.0, spec.gamma) * self.dw[idx] * span * (1 + spec.dw_min_std * step_normals)
        self._programmed(idx, np.minimum(np.maximum(u + step, self.u_min), 1.0), now, nu_normals)

    def reset(self, idx: np.ndarray, now: float) -> None:
        """Abrupt RESET to g_min."""
        self._programmed(idx, np.full(idx.size, self.u_min), now)

    def program(self, idx: np.ndarray, target: np.ndarray, now: float) -> None:
        """Program-and-verify to normalised targets, with programming noise."""
        target = np.clip(target, self.u_min, 1.0)
        if self.spec.prog_noise:
            noise = prog_noise_std(target, self.spec.g_max) / self.spec.g_max
            target = np.clip(target + noise * self.rng.standard_normal(target.shape), self.u_min, 1.0)
        self._programmed(idx, target, now)


class PCMPairArray:
    """rows x cols 6T-2R synapses: weight = w_max (G+ - G-) / (g_max - g_min)."""

    quantities = ("g_plus", "g_minus")

    def __init__(self, shape: tuple[int, int], spec: PCMPairSpec, rng: np.random.Generator, count: Counter):
        self.shape = shape
        self.spec = spec
        self.count = count
        size = shape[0] * shape[1]
        self.rng = rng
        self.size = size
        self.bank = PCMDevices(2 * size, spec, rng)  # G+ of every cell, then G-
        self.plus = self.bank.part(slice(0, size))
        self.minus = self.bank.part(slice(size, 2 * size))
        self.scale = spec.w_max / (1 - spec.g_min / spec.g_max)  # weight per unit of u
        self._all_rows, self._all_cols = np.arange(shape[0]), np.arange(shape[1])
        self._batches = 0
        # cells SET or programmed since the last refresh check: drift only lowers G, so no
        # other cell can have crossed the threshold since then
        self._unchecked: list[np.ndarray] = [np.arange(size)]

    def weights(self, now: float, rows=None, cols=None, noisy: bool = True) -> np.ndarray:
        """Weights of the block rows x cols, as a read sees them (``noisy``) or as stored."""
        return self.read(now, rows, cols, noisy)[0]

    def read(self, now: float, rows=None, cols=None, noisy: bool = True) -> tuple[np.ndarray, float]:
        """``weights(...)`` and the sum of G+ + G- (S) over the block: what the read pulse charges."""
        rows = self._all_rows if rows is None else np.asarray(rows, np.intp)
        cols = self._all_cols if cols is None else np.asarray(cols, np.intp)
        noisy = noisy and self.spec.read_noise
        weights, total = read_block(self.bank, self.shape, rows, cols, now, noisy, self.scale, self.rng)
        return weights, total * self.spec.g_max

    @property
    def nominal_step(self) -> float:
        """Weight change of one SET from the empty state."""
        return self.spec.dw_min * self.scale

    def pulse_counts(self, cells: np.ndarray, ups: np.ndarray, downs: np.ndarray, now: float) -> None:
        """SETs on G+ (ups) and G- (downs), one pulse slot at a time: the step law has no closed form."""
        pulse_counts_one_by_one(self, cells, ups, downs, now)

    def pulse_block(self, ups: np.ndarray, downs: np.ndarray, now: float) -> None:
        pulse_block_by_cells(self, ups, downs, now)

    def conductances(self, now: float, cells: np.ndarray) -> dict[str, np.ndarray]:
        """G+ and G- (S) of flat ``cells`` at ``now``, drift applied."""
        g_max = self.spec.g_max
        return {"g_plus": self.plus.value(now, cells) * g_max, "g_minus": self.minus.value(now, cells) * g_max}

    def pulse(self, cells: np.ndarray, signs: np.ndarray, now: float) -> None:
        """One SET pulse per cell: on G+ where sign > 0 (potentiate), on G- where sign < 0."""
        up, down = cells[signs > 0], cells[signs < 0]
        self.bank.set_pulse(np.concatenate([up, down + self.size]), now)
        self.count("set_pulse", up.size + down.size)
        self._unchecked.append(cells)
        self._batches += 1
        if self.spec.refresh is not None and self._batches % self.spec.refresh.check_every == 0:
            self.refresh(now)

    def refresh(self, now: float) -> int:
        """Refresh the pairs with a device above threshold; return how many were refreshed."""
        limit = self.spec.refresh.threshold
        cells = np.unique(np.concatenate(self._unchecked))
        self._unchecked = []
        full = cells[(self.plus.value(now, cells) > limit) | (self.minus.value(now, cells) > limit)]
        if full.size:
            w = self.plus.read(now, full) - self.minus.read(now, full)  # a real chip reads before it resets
            self.plus.reset(full, now)
            self.minus.reset(full, now)
            positive, negative = full[w > 0], full[w < 0]
            self.plus.program(positive, self.plus.u_min + w[w > 0], now)
            self.minus.program(negative, self.minus.u_min - w[w < 0], now)
            self._unchecked.append(full)  # a pair re-programmed above the threshold is refreshed again
            self.count("refresh", full.size)
            self.count("reset_pulse", 2 * full.size)
            self.count("program", positive.size + negative.size)
        return full.size

    def program(self, weights: np.ndarray, now: float) -> None:
        """Program-and-verify every pair to ``weights``: the device of the weight's sign holds |w|."""
        u = np.ravel(weights) / self.scale
        cells = np.arange(u.size)
        self.plus.reset(cells, now)
        self.minus.reset(cells, now)
        self.plus.program(cells[u > 0], self.plus.u_min + u[u > 0], now)
        self.minus.program(cells[u < 0], self.minus.u_min - u[u < 0], now)
        self.count("reset_pulse", 2 * u.size)
        self.count("program", int(np.count_nonzero(u)))
        self._unchecked = [cells]
