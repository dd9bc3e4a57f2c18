"""Text summaries of runs and traces."""

from __future__ import annotations

from collections import defaultdict

from .traces import Trace


def table(header: list[str], rows: list[list], align: str) -> str:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        lines.append("  ".join(c.ljust(w) if a == "<" else c.rjust(w) for c, w, a in zip(row, widths, align)))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join("  " + line for line in lines)


def spike_table(trace: Trace) -> str:
    duration = trace.duration
    rows = []
    for sender, side, kind, size in trace.spike_groups():
        count = len(trace.spikes(sender, side)[0])
        rate = count / (size * duration) if duration > 0 else 0.0
        rows.append([f"{sender}.{side}", kind, size, count, f"{rate:.2f}"])
    if not rows:
        return "  (spikes not recorded: record.spikes is false)"
    return table(["neurons", "kind", "size", "spikes", "mean rate (Hz)"], rows, "<<>>>")


def ledger_table(trace: Trace) -> str:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for core, kind, _stage, count in trace.ledger():
        totals[(core, kind)] += count
    rows = [[core, kind, f"{count:,}"] for (core, kind), count in sorted(totals.items())]
    return table(["block", "event", "count"], rows, "<<>")


def inspect_text(trace: Trace) -> str:
    meta = trace.meta
    lines = [
        f"trace     {trace.path}",
        f"status    {trace.status}",
        f"scenario  {meta.get('scenario')} on chip {meta.get('chip')}, seed {meta.get('seed')}",
        f"duration  {trace.duration * 1e3:.3f} ms simulated of "
        + (f"{meta['duration'] * 1e3:.3f} ms asked, " if meta.get("duration") else "a learning schedule, ")
        + f"tick {meta.get('tick', 0) * 1e6:g} us",
        f"created   {meta.get('created')}  wall time {float(trace.file.attrs['wall_time']):.2f} s",
        "versions  " + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()),
        "",
        "spikes",
        spike_table(trace),
        "",
        "ledger",
        ledger_table(trace),
    ]
    record = trace.learning()
    if record is not None:
        lines[-3:-3] = ["", learning_summary(record)]
    error = str(trace.file.attrs.get("error", ""))
    if error:
        lines.insert(2, f"error     {error}")
    return "\n".join(lines)


def run_summary(result) -> str:
    speed = result.simulated / result.wall_time if result.wall_time > 0 else float("inf")
    head = (f"{result.status}: {result.simulated * 1e3:.1f} ms simulated in {result.wall_time:.2f} s wall "
            f"({speed:.3g} x real time); trace {result.path}")
    from .energy.account import account_trace
    from .energy.report import headline_text

    with Trace(result.path) as trace:
        lines = [head, "", spike_table(trace)]
        record = trace.learning()
        energy = headline_text(account_trace(trace))
    if record is not None:
        lines += ["", learning_summary(record)]
    return "\n".join(lines + ["", energy, "  (full table: neurochip energy TRACE)"])


def learning_summary(record: dict) -> str:
    """A learning run's figures, one per line, from its trace record (``Trace.learning()``)."""
    attrs, curve, figures = record["attrs"], record["curve"], record["result_attrs"]
    tested_nothing = not figures and attrs["samples_seen"] and attrs["test_images"]  # a test set, but no figures
    stopped = " (stopped before the final tests)" if tested_nothing else ""
    lines = [f"learning  {attrs['mode']} on {attrs['data']}: {attrs['samples_seen']} training samples "
             f"of {attrs['train_images']} images, {attrs['test_images']} test images{stopped}"]
    final = len(curve["samples"]) - (1 if "test_accuracy" in figures else 0)
    every = max(1, final // 10)  # at most about ten points of a long curve
    for index in range(0, final, every):
        lines.append(f"  after {curve['samples'][index]:>6} samples: accuracy {100 * curve['accuracy'][index]:5.1f} % "
                     f"(evaluation images)")
    spiking = str(attrs["mode"]).startswith("spiking")
    labels = {"test_accuracy": "test accuracy (spiking read-out)" if spiking else "test accuracy (analog reads)",
              "train_accuracy": "training accuracy",
              "free_energy_accuracy": "test accuracy (free energy of the learned weights)"}
    for name, label in labels.items():
        if name in figures:
            lines.append(f"  {label}: {100 * figures[name]:.1f} %")
    results = record["results"]
    for seconds, accuracy in zip(results.get("lifetime_seconds", []), results.get("lifetime_accuracy", [])):
        lines.append(f"  after idling {idle_text(seconds)}: test accuracy {100 * accuracy:.1f} %")
    if "reconstruction_error" in figures:
        lines.append(f"  reconstruction of the occluded pixels: mean squared error {figures['reconstruction_error']:.4f} "
                     f"(mean training image: {figures['mean_image_error']:.4f}"
                     + (f", {figures['neighbours']} nearest training images: {figures['neighbours_error']:.4f})"
                        if "neighbours_error" in figures else ")"))
    return "\n".join(lines)


def idle_text(seconds: float) -> str:
    """'1 s', '1 h', '1 day', '30 days' for an idle time in seconds."""
    for unit, size in (("day", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0)):
        if seconds >= size:
            value = seconds / size
            plural = "s" if unit == "day" and value != 1 else ""
            return f"{value:g} {unit}{plural}"
    return f"{seconds:g} s"
