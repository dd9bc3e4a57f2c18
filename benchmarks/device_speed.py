"""Device layer against plain numpy doing the same arithmetic, on an 832 x 832 6T-2R PCM array.

Times (1) pulse updates on a random tenth of the cells and (2) event-driven reads of a
few rows (forward) and columns (backward), through ``PCMPairArray`` and through inline
numpy on bare arrays with the same formulas, in the same run; prints the ratios.
Run: python benchmarks/device_speed.py
"""

from __future__ import annotations

import time

import numpy as np

from neurochip.description.devices import PCMPairSpec
from neurochip.devices.crossbar import Crossbar, device_array
from neurochip.devices.pcm import drift_exponents, mean_step, read_noise_q

ROWS = COLS = 832
SPEC = PCMPairSpec(refresh=None)


def best_of(function, repeats=7, number=20):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        times.append((time.perf_counter() - start) / number)
    return min(times)


class Bare:
    """The same state and formulas as the device layer, as bare arrays and inline numpy."""

    def __init__(self, rng):
        n = ROWS * COLS
        self.rng = rng
        self.u = {s: rng.uniform(0, 0.8, n) for s in "+-"}
        self.t = {s: np.zeros(n) for s in "+-"}
        self.nu = {s: drift_exponents(self.u[s], rng.standard_normal(n)) for s in "+-"}
        self.q = {s: read_noise_q(self.u[s]) for s in "+-"}
        self.dw = {s: SPEC.dw_min * np.clip(1 + SPEC.dw_min_dtod * rng.standard_normal(n), 0, None) for s in "+-"}

    def value(self, s, idx, now):
        elapsed = now - self.t[s][idx]
        if elapsed.max() <= SPEC.drift_t0:
            return self.u[s][idx].copy()
        return self.u[s][idx] * (np.maximum(elapsed, SPEC.drift_t0) / SPEC.drift_t0) ** -self.nu[s][idx]

    def pulse(self, cells, signs, now):
        for s, chosen in (("+", cells[signs > 0]), ("-", cells[signs < 0])):
            u = self.value(s, chosen, now)
            step = mean_step(u, 1.0, SPEC.gamma) * self.dw[s][chosen]
            step *= 1 + SPEC.dw_min_std * self.rng.standard_normal(chosen.size)
            u = np.clip(u + step, 0.0, 1.0)
            self.u[s][chosen], self.t[s][chosen] = u, now
            self.q[s][chosen] = read_noise_q(u)
            self.nu[s][chosen] = drift_exponents(u, self.rng.standard_normal(u.shape))

    def read_rows(self, rows, now):
        idx = (rows[:, None] * COLS + np.arange(COLS)).ravel()
        plus, minus = self.value("+", idx, now), self.value("-", idx, now)
        std = [self.q[s][idx] * np.sqrt(np.log(np.maximum((now - self.t[s][idx] + SPEC.t_read) / (2 * SPEC.t_read), 1)))
               for s in "+-"]
        w = plus - minus + np.hypot(plus * std[0], minus * std[1]) * self.rng.standard_normal(idx.size)
        return w.reshape(rows.size, COLS).sum(axis=0)


def main():
    rng = np.random.default_rng(0)
    crossbar = Crossbar(device_array(SPEC, (ROWS, COLS), np.random.default_rng(1), lambda kind, n: None))
    crossbar.devices.plus.u[:] = rng.uniform(0, 0.8, ROWS * COLS)
    crossbar.devices.minus.u[:] = rng.uniform(0, 0.8, ROWS * COLS)
    bare = Bare(np.random.default_rng(2))
    cells = np.sort(rng.choice(ROWS * COLS, ROWS * COLS // 10, replace=False))
    signs = rng.choice([-1, 1], cells.size)
    rows = np.sort(rng.choice(ROWS, 8, replace=False))
    print(f"832 x 832 PCM pairs; pulses on {cells.size:,} cells; reads of {rows.size} rows "
          f"({rows.size * COLS:,} cells), at t = 1 ms and after a day (drift on)")
    print(f"{'operation':<34}{'neurochip':>12}{'bare numpy':>12}{'ratio':>8}")
    for now, label in ((1e-3, "1 ms"), (86400.0, "1 day")):
        cases = [
            (f"pulse update @ {label}", lambda t=now: crossbar.pulse(cells, signs, t),
             lambda t=now: bare.pulse(cells, signs, t)),
            (f"forward read @ {label}", lambda t=now: crossbar.read_forward(rows, t),
             lambda t=now: bare.read_rows(rows, t)),
        ]
        for name, ours, reference in cases:
            t_ours, t_ref = best_of(ours), best_of(reference)
            print(f"{name:<34}{t_ours * 1e3:>10.3f}ms{t_ref * 1e3:>10.3f}ms{t_ours / t_ref:>8.2f}")
    t_back = best_of(lambda: crossbar.read_backward(rows, 86400.0))
    print(f"{'backward read @ 1 day (8 cols)':<34}{t_back * 1e3:>10.3f}ms")


if __name__ == "__main__":
    main()
