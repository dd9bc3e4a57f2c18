"""Pictures of traces, written as PNG files (matplotlib, no screen needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .traces import Trace  # noqa: E402


def plot_raster(trace: Trace, out: Path, bin_width: float | None = None) -> Path:
    """One raster per spiking population (cores first, then inputs) above its population rate."""
    groups = trace.spike_groups()
    duration = trace.duration or 1e-3
    width = bin_width or duration / 200
    edges = np.arange(0.0, duration + width, width)
    fig, axes = plt.subplots(2 * max(len(groups), 1), 1, figsize=(9, 1.9 * 2 * max(len(groups), 1)),
                             sharex=True, gridspec_kw={"height_ratios": [3, 1] * max(len(groups), 1)},
                             squeeze=False)
    axes = axes[:, 0]
    for index, (sender, side, kind, size) in enumerate(groups):
        t, neuron = trace.spikes(sender, side)
        raster, rate = axes[2 * index], axes[2 * index + 1]
        raster.scatter(t * 1e3, neuron, s=6.0, marker="|", linewidths=0.8, color="k" if kind == "core" else "C1")
        raster.set_ylim(-0.5, size - 0.5)
        raster.set_ylabel(f"{sender}.{side}\nneuron")
        counts, _ = np.histogram(t, edges)
        rate.step(edges[:-1] * 1e3, counts / (width * size), where="post", color="C0")
        rate.set_ylabel("rate (Hz)")
    axes[-1].set_xlabel("time (ms)")
    axes[-1].set_xlim(0, duration * 1e3)
    meta = trace.meta
    fig.suptitle(f"{meta.get('scenario')} on {meta.get('chip')} (seed {meta.get('seed')}, {trace.status})")
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
