"""Compiled loops for the PCM pair's two hot paths: reading a block of cells and SET pulses.

The formulas are those of ``pcm.py`` (its docstring gives the sources); here they run in
one pass per cell instead of one numpy call per formula, which on the small blocks an
event-driven read touches (a few lines x a hundred cells) is where the time went. Random
numbers are drawn by the caller from the run's generator and passed in, so a seed still
fixes every result. Tests check both paths against the numpy formulas.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_TINY = 1e-6


@numba.njit(cache=True)
def _drifted(u: float, t_prog: float, nu: float, now: float, drift: bool, t0: float) -> float:
    if not drift:
        return u
    elapsed = now - t_prog
    if elapsed <= t0:
        return u
    return u * (elapsed / t0) ** -nu


@numba.njit(cache=True)
def _read_std(q: float, since: float, t_read: float) -> float:
    ratio = (since + t_read) / (2.0 * t_read)
    return q * math.sqrt(math.log(ratio)) if ratio > 1.0 else 0.0


@numba.njit(cache=True)
def read_pairs(u, t_prog, nu, q, rows, cols, width, size, now, drift, t0, noisy, t_read, normals, scale, out):
    """Weights of the block ``rows`` x ``cols`` into ``out`` (rows.size x cols.size): scale (G+ - G-)
    with drift, plus read noise where ``noisy`` (``normals`` in the block's row-major order).

    The bank holds G+ of cell c = row * width + col at c and G- at c + size (normalised
    conductances u). Returns the sum of G+ + G- over the cells read (normalised), which
    prices the read.
    """
    total = 0.0
    k = 0
    for i in range(rows.size):
        for j in range(cols.size):
            plus = rows[i] * width + cols[j]
            minus = plus + size
            gp = _drifted(u[plus], t_prog[plus], nu[plus], now, drift, t0)
            gm = _drifted(u[minus], t_prog[minus], nu[minus], now, drift, t0)
            w = gp - gm
            total += gp + gm
            if noisy:
                sp = gp * _read_std(q[plus], now - t_prog[plus], t_read)
                sm = gm * _read_std(q[minus], now - t_prog[minus], t_read)
                w += math.sqrt(sp * sp + sm * sm) * normals[k]
            out[i, j] = scale * w
            k += 1
    return total


@numba.njit(cache=True)
def set_pulses(u, t_prog, nu, q, dw, idx, now, u_min, gamma, dw_std, step_normals, drift, t0, nu_normals):
    """One partial SET on each device of ``idx`` (distinct): the step of pcm.mean_step at the
    drifted position, times the device's dw and (1 + dw_std xi); the device restarts its
    drift clock with a new exponent (pcm.drift_exponents) and read-noise amplitude (pcm.read_noise_q)."""
    span = 1.0 - u_min
    floor = math.exp(-gamma)
    for k in range(idx.size):
        i = idx[k]
        value = _drifted(u[i], t_prog[i], nu[i], now, drift, t0)
        x = min(max((value - u_min) / span, 0.0), 1.0)
        if gamma == 0.0:
            mean = 1.0 if x < 1.0 else 0.0
        else:
            mean = max((math.exp(-gamma * x) - floor) / (1.0 - floor), 0.0)
        step = mean * dw[i] * span * (1.0 + dw_std * step_normals[k])
        new = min(max(value + step, u_min), 1.0)
        u[i] = new
        t_prog[i] = now
        q[i] = min(0.0088 / max(new, _TINY) ** 0.65, 0.2)
        if drift:
            log_u = math.log(max(new, _TINY))
            mu = min(max(-0.0155 * log_u + 0.0244, 0.049), 0.1)
            sigma = min(max(-0.0125 * log_u - 0.0059, 0.008), 0.045)
            nu[i] = abs(mu + sigma * nu_normals[k])


def read_block(bank, shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray, now: float, noisy: bool,
               scale: float, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Weights of the block ``rows`` x ``cols`` of a ``shape`` pair array whose devices live in
    ``bank``, and the sum of their normalised G+ + G- (see ``read_pairs``)."""
    spec = bank.spec
    out = np.empty((rows.size, cols.size))
    normals = rng.standard_normal(out.size) if noisy else np.zeros(0)
    total = read_pairs(bank.u, bank.t_prog, bank.nu, bank.q, rows, cols, shape[1], bank.u.size // 2, float(now),
                       spec.drift, spec.drift_t0, noisy, spec.t_read, normals, scale, out)
    return out, total
