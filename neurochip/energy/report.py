"""The energy report of a trace: a table, headline figures beside published anchors, JSON, a chart."""

from __future__ import annotations

from pathlib import Path

from ..report import table
from .account import CELL_READ, STATIC, EnergyAccount
from .presets import ANCHORS


def si_energy(joules: float | None) -> str:
    """'12.3 nJ'-style text for an energy in J (None: 'n/a')."""
    if joules is None:
        return "n/a"
    if joules == 0:
        return "0 J"
    for unit, scale in (("J", 1.0), ("mJ", 1e-3), ("uJ", 1e-6), ("nJ", 1e-9), ("pJ", 1e-12), ("fJ", 1e-15)):
        if abs(joules) >= scale:
            return f"{joules / scale:.3g} {unit}"
    return f"{joules / 1e-15:.3g} fJ"


def _kind_rows(account: EnergyAccount) -> list[list]:
    energies, counts, total = account.by("kind"), account.counts(), account.total
    rows = []
    for kind in sorted(energies, key=energies.get, reverse=True):
        count, energy = counts.get(kind, 0), energies[kind]
        if kind == STATIC:
            each, shown = f"{account.prices.static_power * 1e6:.3g} uW/core", f"{count:.4g} core-s"
        else:
            each = si_energy(energy / count) if count else "n/a"
            shown = f"{int(count):,}"
        share = f"{100 * energy / total:.1f} %" if total else "n/a"
        label = "cell read (V^2 G t)" if kind == CELL_READ else kind
        rows.append([label, shown, each, si_energy(energy), share])
    return rows


def _totals(parts: dict[str, float], total: float) -> str:
    rows = [[name, si_energy(energy), f"{100 * energy / total:.1f} %" if total else "n/a"]
            for name, energy in sorted(parts.items(), key=lambda item: -item[1])]
    return table(["", "energy", "share"], rows, "<>>")


def headline_text(account: EnergyAccount) -> str:
    """The headline figures, one per line, with the published anchors beside pJ per synaptic op."""
    head = account.headline()
    pj = lambda joules: f"{joules / 1e-12:.3g} pJ" if joules is not None else "n/a"  # noqa: E731
    lines = [f"energy ({account.prices.preset}): {si_energy(head['total'])} in all, "
             f"{si_energy(head['dynamic'])} dynamic (without static power)",
             f"  per synaptic op      {pj(head['per_synaptic_op'])} all-in, "
             f"{pj(head['per_synaptic_op_dynamic'])} dynamic",
             f"  per inference        {si_energy(head['per_inference'])}",
             f"  per training sample  {si_energy(head['per_training_sample'])}",
             f"  noise circuit        {si_energy(head['noise_circuit'])}"]
    lines += [f"  published: {name} {joules / 1e-12:g} pJ ({source})" for name, (joules, source) in ANCHORS.items()]
    return "\n".join(lines)


def energy_text(account: EnergyAccount) -> str:
    return "\n".join([
        headline_text(account), "",
        "by event kind",
        table(["event", "count", "each", "total", "share"], _kind_rows(account), "<>>>>"), "",
        "by core", _totals(account.by("core"), account.total), "",
        "by stage", _totals(account.by("stage"), account.total),
    ])


def energy_json(account: EnergyAccount) -> dict:
    """Everything in SI units (J, W, s), for scripts."""
    counts, energies = account.counts(), account.by("kind")
    return {
        "preset": account.prices.preset,
        "headline": account.headline(),
        "static_power_per_core": account.prices.static_power,
        "by_kind": {kind: {"count": counts.get(kind, 0), "energy": energy,
                           "price": account.prices.per_event.get(kind),
                           "source": account.prices.sources.get("static_power" if kind == STATIC else kind)}
                    for kind, energy in energies.items()},
        "by_core": account.by("core"),
        "by_stage": account.by("stage"),
        "tallies": account.tallies,
        "anchors": {name: {"per_synaptic_op": joules, "source": source} for name, (joules, source) in ANCHORS.items()},
    }


def energy_chart(account: EnergyAccount, path: Path) -> Path:
    """Energy by event kind (log scale: static power and SET pulses can differ by 10^4), and by
    stage split into event kinds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    kinds = {kind: energy for kind, energy in account.by("kind").items() if energy > 0}
    order = sorted(kinds, key=kinds.get, reverse=True)
    stage_totals = account.by("stage")
    stages = sorted(stage_totals, key=stage_totals.get, reverse=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
    left.barh(order[::-1], [kinds[k] for k in order[::-1]], color="tab:blue")
    left.set_xscale("log")
    left.set_xlabel("energy (J)")
    left.set_title(f"by event kind ({account.prices.preset})")
    for y, kind in enumerate(order[::-1]):
        left.text(kinds[kind], y, f" {100 * kinds[kind] / account.total:.2g} %", va="center", fontsize=7)
    bottom = np.zeros(len(stages))
    colours = plt.get_cmap("tab20")
    for index, kind in enumerate(order):
        values = np.array([sum(line.energy for line in account.lines if line.kind == kind and line.stage == stage)
                           for stage in stages])
        right.bar(stages, values, bottom=bottom, label=kind, color=colours(index % 20))
        bottom += values
    right.set_ylabel("energy (J)")
    right.set_title("by stage")
    right.tick_params(axis="x", labelrotation=30)
    right.legend(fontsize=7, ncol=2)
    head = account.headline()
    if head["per_synaptic_op"] is not None:
        fig.suptitle(f"{head['per_synaptic_op'] / 1e-12:.3g} pJ per synaptic op all-in, "
                     f"{head['per_synaptic_op_dynamic'] / 1e-12:.3g} pJ dynamic", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
