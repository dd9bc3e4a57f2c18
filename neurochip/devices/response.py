"""Pulse response of a device model: potentiate N times, then depress N times, on many devices."""

from __future__ import annotations

import numpy as np

from .crossbar import device_array


def pulse_response(spec, pulses: int, devices: int, seed: int = 0, interval: float = 1e-3) -> dict[str, np.ndarray]:
    """Each quantity (weight, and G+ / G- for PCM pairs) after every pulse: arrays (2 pulses + 1, devices).

    Pulses are ``interval`` s apart; every device of the row gets the same pulse.
    """
    counts: dict[str, int] = {}
    array = device_array(spec, (1, devices), np.random.default_rng(seed),
                         lambda kind, n: counts.__setitem__(kind, counts.get(kind, 0) + n))
    cells = np.arange(devices)
    history: dict[str, list[np.ndarray]] = {}

    def sample(now):
        history.setdefault("weight", []).append(array.weights(now, noisy=False)[0])
        if array.quantities != ("w",):
            for name, v in array.conductances(now, cells).items():
                history.setdefault(name, []).append(v)

    sample(0.0)
    for k in range(2 * pulses):
        now = (k + 1) * interval
        array.pulse(cells, np.full(devices, 1 if k < pulses else -1), now)
        sample(now)
    return {name: np.array(values) for name, values in history.items()}
