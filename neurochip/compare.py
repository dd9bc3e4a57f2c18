"""Side-by-side figures of a scenario's variants (the same run on different chips).

For each run: its learning figures (when it learned) and its energy; then, against the
first variant, the ratio of the noise circuit's energy and of the total energy. The
table is printed and written as CSV next to the traces.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .energy.account import account_trace
from .energy.report import si_energy
from .report import table
from .traces import Trace

#: columns of the comparison: (key, header)
COLUMNS = (("variant", "variant"), ("status", "status"), ("test_accuracy", "test acc."),
           ("free_energy_accuracy", "free-energy acc."), ("total", "energy"), ("dynamic", "dynamic"),
           ("noise_circuit", "noise circuit"), ("per_synaptic_op_dynamic", "per SOP (dyn.)"),
           ("per_training_sample", "per training sample"), ("per_inference", "per inference"),
           ("wall_time", "wall (s)"))


def run_figures(name: str, trace_path: Path) -> dict:
    """A run's headline figures (SI units) from its trace."""
    with Trace(trace_path) as trace:
        record = trace.learning()
        head = account_trace(trace).headline()
        figures = {"variant": name, "status": trace.status, "wall_time": float(trace.file.attrs["wall_time"])}
    results = record["result_attrs"] if record else {}
    figures.update({key: results.get(key) for key in ("test_accuracy", "free_energy_accuracy")})
    figures.update(head)
    return figures


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "n/a" if not a else "inf (no such energy in the second)"
    return f"{a / b:.3g}"


def comparison_text(rows: list[dict]) -> str:
    def cell(key, value):
        if value is None:
            return "n/a"
        if key.endswith("accuracy"):
            return f"{100 * value:.1f} %"
        if key == "per_synaptic_op_dynamic":
            return f"{value / 1e-12:.3g} pJ"
        if key == "wall_time":
            return f"{value:.0f}"
        return si_energy(value) if isinstance(value, float) else str(value)

    body = table([header for _, header in COLUMNS], [[cell(k, row.get(k)) for k, _ in COLUMNS] for row in rows],
                 "<<" + ">" * (len(COLUMNS) - 2))
    first = rows[0]
    lines = ["comparison", body]
    for row in rows[1:]:
        lines.append(f"  {first['variant']} / {row['variant']}: noise-circuit energy "
                     f"{_ratio(first['noise_circuit'], row['noise_circuit'])}, total energy "
                     f"{_ratio(first['total'], row['total'])}, dynamic energy {_ratio(first['dynamic'], row['dynamic'])}")
    return "\n".join(lines)


def write_csv(rows: list[dict], path: Path) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[key for key, _ in COLUMNS], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
