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


def human_time(seconds: float) -> str:
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if abs(seconds) >= size:
            return f"{seconds / size:.3g} {unit}"
    return "0 s" if seconds == 0 else f"{seconds * 1e9:.3g} ns"


_UNITS = {"g_plus": ("G+", 1e6, "uS"), "g_minus": ("G-", 1e6, "uS"), "w": ("w", 1.0, ""),
          "weight": ("weight", 1.0, "")}


def plot_conductance(trace: Trace, out: Path, cells: list[int] | None = None, bins: int = 60) -> Path:
    """Per sampled core: a histogram of every quantity over the samples, and the traces of chosen cells.

    Samples are placed by their order (snapshots may be hours apart), labelled with their times.
    """
    cores = trace.conductance_cores()
    panels = []
    for core in cores:
        times, sampled, values = trace.conductance(core)
        panels.extend((core, name, times, sampled, v) for name, v in values.items())
    fig, axes = plt.subplots(len(panels), 2, figsize=(12, 3.2 * len(panels)), squeeze=False)
    for (core, name, times, sampled, v), (hist_ax, cell_ax) in zip(panels, axes):
        label, scale, unit = _UNITS.get(name, (name, 1.0, ""))
        v = v * scale
        edges = np.linspace(np.nanmin(v), np.nanmax(v) + 1e-12, bins + 1)
        counts = np.stack([np.histogram(row, edges)[0] for row in v], axis=1) if len(v) else np.zeros((bins, 0))
        hist_ax.imshow(np.log1p(counts), origin="lower", aspect="auto", cmap="viridis",
                       extent=(-0.5, len(times) - 0.5, edges[0], edges[-1]))
        hist_ax.set_ylabel(f"{core} {label} ({unit})" if unit else f"{core} {label}")
        hist_ax.set_title(f"{core}: distribution of {label} over {len(sampled)} cells (log count)")
        chosen = [c for c in (cells or sampled[: min(8, len(sampled))]) if c in set(sampled.tolist())]
        position = {c: i for i, c in enumerate(sampled.tolist())}
        cols = int(trace.file[f"conductance/{core}"].attrs["cols"])
        for cell in chosen:
            cell_ax.plot(np.arange(len(times)), v[:, position[cell]], marker=".", lw=1,
                         label=f"({cell // cols}, {cell % cols})")
        cell_ax.set_title(f"{core}: {label} of chosen cells (row, col)")
        cell_ax.legend(fontsize=7, ncol=2)
        for ax in (hist_ax, cell_ax):
            ticks = np.unique(np.linspace(0, len(times) - 1, min(len(times), 8)).round().astype(int))
            ax.set_xticks(ticks)
            ax.set_xticklabels([human_time(times[i]) for i in ticks], rotation=30, fontsize=8)
    fig.suptitle(f"{trace.meta.get('scenario')}: conductances over time")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def plot_device_response(responses: dict[str, np.ndarray], title: str, out: Path, examples: int = 5) -> Path:
    """Pulse-response figure: each quantity against pulse number (mean, +-1 std band, a few devices).

    ``responses`` maps a quantity name to an array (pulses + 1, devices); the first half of
    the pulses potentiate, the second half depress.
    """
    fig, axes = plt.subplots(1, len(responses), figsize=(5 * len(responses), 3.8), squeeze=False)
    for ax, (name, values) in zip(axes[0], responses.items()):
        label, scale, unit = _UNITS.get(name, (name, 1.0, ""))
        values = values * scale
        pulses = np.arange(len(values))
        mean, std = values.mean(axis=1), values.std(axis=1)
        ax.fill_between(pulses, mean - std, mean + std, color="C0", alpha=0.25, label="+-1 std over devices")
        ax.plot(pulses, values[:, :examples], color="0.5", lw=0.6)
        ax.plot(pulses, mean, color="C0", lw=2, label="mean")
        ax.axvline((len(values) - 1) / 2, color="k", ls=":", lw=1)
        ax.set_xlabel("pulse number (potentiate | depress)")
        ax.set_ylabel(f"{label} ({unit})" if unit else label)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_validation(checks, out: Path) -> Path:
    """Membrane traces of neurochip and Brian2 overlaid (first LIF check of each core), and transfer curves."""
    lif_checks = [c for c in checks if "lif" in c.curves][:3]
    walk_checks = [c for c in checks if "transfer" in c.curves]
    rows = len(lif_checks) + len(walk_checks)
    fig, axes = plt.subplots(max(rows, 1), 1, figsize=(10, 3.2 * max(rows, 1)), squeeze=False)
    axes = axes[:, 0]
    for ax, check in zip(axes, lif_checks):
        result = check.curves["lif"]
        t = result["t"] * 1e3
        for neuron in range(result["v_ours"].shape[1]):
            ax.plot(t, result["v_ours"][:, neuron] + 1.5 * neuron, color=f"C{neuron}", lw=1.6, alpha=0.6)
            ax.plot(t, result["v_brian2"][:, neuron] + 1.5 * neuron, color="k", lw=0.6, ls="--")
        ax.set_title(("PASS " if check.passed else "FAIL ") + check.name + "  (colour: neurochip, dashed: Brian2)",
                     fontsize=9)
        ax.set_ylabel("v (offset per neuron)")
        ax.set_xlabel("time (ms)")
    for ax, check in zip(axes[len(lif_checks):], walk_checks):
        drives, ours, theirs = check.curves["transfer"]
        for label, values, colour in (("neurochip random walk", ours, "C0"), ("Brian2 diffusion", theirs, "k")):
            ax.errorbar(drives, values.mean(axis=0), yerr=values.std(axis=0, ddof=1) / np.sqrt(len(values)),
                        color=colour, marker="o", ms=3, capsize=2, label=label)
        ax.set_title(("PASS " if check.passed else "FAIL ") + check.name, fontsize=9)
        ax.set_xlabel("constant drive (v_rest, normalised)")
        ax.set_ylabel("P(on) = rate x refractory")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def plot_transfer(curves, out: Path, title: str) -> Path:
    """Firing probability against mean input for several noise circuits, with fitted sigmoids."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for index, curve in enumerate(curves):
        fine = np.linspace(curve.drives.min(), curve.drives.max(), 400)
        ax.plot(curve.drives, curve.p_on, "o", ms=3, color=f"C{index}")
        ax.plot(fine, curve.fitted(fine), "-", color=f"C{index}",
                label=f"{curve.label}: offset {curve.offset:.3g}, width {curve.width:.3g}, misfit {curve.misfit:.2f}")
    ax.set_xlabel("mean input (normalised membrane units)")
    ax.set_ylabel("P(on) = rate x refractory")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
