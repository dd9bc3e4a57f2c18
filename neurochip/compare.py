"""Side-by-side figures of a scenario's variants (the same run on other chips or algorithms).

For each run: its learning figures (when it learned, with accuracies after idling) and
its energy; then, against the first variant, the accuracy difference and the ratios of
noise-circuit, total and dynamic energy. The table is printed and written as CSV next to
the traces, and the learning curves are drawn on one plot.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .energy.account import account_trace
from .energy.report import si_energy
from .report import idle_text, table
from .traces import Trace

#: columns of the comparison: (key, header)
COLUMNS = (("variant", "variant"), ("status", "status"), ("test_accuracy", "test acc."),
           ("free_energy_accuracy", "free-energy acc."), ("total", "energy"), ("dynamic", "dynamic"),
           ("noise_circuit", "noise circuit"), ("per_synaptic_op_dynamic", "per SOP (dyn.)"),
           ("per_training_sample", "per training sample"), ("per_inference", "per inference"),
           ("wall_time", "wall (s)"))


def run_figures(name: str, trace_path: Path) -> dict:
    """A run's headline figures (SI units) from its trace, with its learning curve under 'curve'."""
    with Trace(trace_path) as trace:
        record = trace.learning()
        head = account_trace(trace).headline()
        figures = {"variant": name, "status": trace.status, "wall_time": float(trace.file.attrs["wall_time"])}
    results = record["result_attrs"] if record else {}
    figures.update({key: results.get(key) for key in ("test_accuracy", "free_energy_accuracy")})
    figures.update(head)
    if record:
        figures["curve"] = (record["curve"]["samples"], record["curve"]["accuracy"])
        arrays = record["results"]
        for seconds, accuracy in zip(arrays.get("lifetime_seconds", []), arrays.get("lifetime_accuracy", [])):
            figures[f"after {idle_text(seconds)}"] = float(accuracy)
    return figures


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "n/a" if not a else "unbounded (none in the second)"
    return f"{a / b:.3g}"


def _columns(rows: list[dict]) -> list[tuple[str, str]]:
    """The fixed columns any row has a value for, then the lifetime columns."""
    present = [(key, header) for key, header in COLUMNS
               if key in ("variant", "status") or any(row.get(key) not in (None, 0.0) for row in rows)]
    lifetime = [(key, key) for key in rows[0] if key.startswith("after ")]
    after = 1 + max(i for i, (key, _) in enumerate(present) if key in ("status", "test_accuracy", "free_energy_accuracy"))
    return present[:after] + lifetime + present[after:]  # the accuracies after idling beside the accuracy


def comparison_text(rows: list[dict]) -> str:
    def cell(key, value):
        if value is None:
            return "n/a"
        if key.endswith("accuracy") or key.startswith("after "):
            return f"{100 * value:.1f} %"
        if key == "per_synaptic_op_dynamic":
            return f"{value / 1e-12:.3g} pJ"
        if key == "wall_time":
            return f"{value:.0f}"
        return si_energy(value) if isinstance(value, float) else str(value)

    columns = _columns(rows)
    body = table([header for _, header in columns], [[cell(k, row.get(k)) for k, _ in columns] for row in rows],
                 "<<" + ">" * (len(columns) - 2))
    first = rows[0]
    lines = ["comparison", body]
    for row in rows[1:]:
        ratios = [f"total energy {_ratio(first['total'], row['total'])}",
                  f"dynamic energy {_ratio(first['dynamic'], row['dynamic'])}"]
        if first["noise_circuit"] or row["noise_circuit"]:
            ratios.insert(0, f"noise-circuit energy {_ratio(first['noise_circuit'], row['noise_circuit'])}")
        if first.get("test_accuracy") is not None and row.get("test_accuracy") is not None:
            ratios.insert(0, f"test accuracy {100 * (first['test_accuracy'] - row['test_accuracy']):+.1f} points")
        lines.append(f"  {first['variant']} against {row['variant']}: " + ", ".join(ratios))
    return "\n".join(lines)


def write_csv(rows: list[dict], path: Path) -> Path:
    columns = [key for key, _ in _columns(rows)]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def curves_figure(rows: list[dict], path: Path) -> Path | None:
    """The variants' learning curves on one plot (None when no run has a curve)."""
    if not any("curve" in row for row in rows):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.8))
    for row in rows:
        if "curve" in row:
            samples, accuracy = row["curve"]
            ax.plot(samples, 100 * accuracy, "-", marker=".", label=row["variant"])
    ax.set_xlabel("training samples seen")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
