"""Sweeps: the Cartesian product of settings and seeds, run on Dask, gathered into one table.

A setting names a key path in the scenario (``learning.readout``) or, prefixed ``chip.``,
in its chip description (``chip.cores[0].noise.sigma``), with the values to try. Every
run gets its own folder under ``OUT/runs/`` holding its scenario and chip files and its
trace, named after its settings, so that running the same sweep again finds the runs
already complete and skips them. Every run is validated before any starts. Runs go to a
Dask cluster (``dask.distributed``): a local one by default, or the scheduler given. A
run that fails is recorded with its error and the others go on; the summary
(``summary.csv`` and ``summary.h5``) gains a row as each run finishes, so a sweep stopped
by Ctrl-C or a lost worker keeps every finished run.
"""

from __future__ import annotations

import csv
import itertools
import logging
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import yaml

from .description import load_scenario
from .description.yamlfile import YamlDocument
from .errors import DescriptionError, NeurochipError, Problem

METRICS = ("test_accuracy", "free_energy_accuracy", "reconstruction_error", "mean_image_error",
           "energy_per_synaptic_op", "spikes", "wall_time")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class SweepError(NeurochipError):
    """A wrong --set option: unknown key path, no values."""


@dataclass(frozen=True)
class Setting:
    """``KEY.PATH=V1,V2,...``: the path (in the scenario, or in the chip with ``chip.``) and its values."""

    key: str
    values: tuple

    @classmethod
    def parse(cls, text: str) -> "Setting":
        key, sep, values = text.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise SweepError(f"--set {text!r}: expected KEY.PATH=V1,V2,... (e.g. chip.cores[0].noise.sigma=0.01,0.03)")
        return cls(key.strip(), tuple(yaml.safe_load(v.strip()) for v in values.split(",")))

    @property
    def parts(self) -> list:
        return [name if name else int(index) for name, index in _PART.findall(self.key)]


@dataclass
class Run:
    """One point of the sweep: its settings, seed and folder."""

    settings: dict[str, Any]
    seed: int
    folder: Path
    status: str = "pending"
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def scenario_file(self) -> Path:
        return self.folder / "scenario.yaml"

    def row(self) -> dict[str, Any]:
        return {**self.settings, "seed": self.seed, "status": self.status,
                **{name: self.metrics.get(name) for name in METRICS}, "error": self.error,
                "trace": str(self.metrics.get("trace", ""))}


def _slug(settings: dict[str, Any], seed: int) -> str:
    parts = [f"{key.split('.')[-1]}={value}" for key, value in settings.items()] + [f"seed={seed}"]
    return re.sub(r"[^A-Za-z0-9_.=+-]", "_", "_".join(parts))


def _assign(document: Any, parts: list, value: Any, key: str) -> None:
    node = document
    for depth, part in enumerate(parts[:-1]):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            where = key if depth == 0 else ".".join(str(p) for p in parts[: depth + 1])
            raise SweepError(f"--set {key}: no key {part!r} (at {where})") from None
    last = parts[-1]
    if isinstance(node, list) and not (isinstance(last, int) and last < len(node)):
        raise SweepError(f"--set {key}: no item {last!r} in that list")
    if not isinstance(node, (dict, list)):
        raise SweepError(f"--set {key}: {'.'.join(map(str, parts[:-1]))} holds no keys")
    node[last] = value


def plan(scenario_path: Path, settings: list[Setting], seeds: int, out: Path) -> list[Run]:
    """Every run of the sweep, its files written and validated; raises DescriptionError for all
    problems at once (naming the run's settings), SweepError for a wrong key path."""
    document = YamlDocument(scenario_path)
    chip_path = scenario_path.parent / str(document.data.get("chip", ""))
    chip_document = YamlDocument(chip_path)
    base_seed = int(document.data.get("seed", 0))
    combos = list(itertools.product(*[s.values for s in settings])) or [()]
    runs, problems, created = [], [], []
    for values in combos:
        chosen = {s.key: v for s, v in zip(settings, values)}
        for seed in range(base_seed, base_seed + seeds):
            scenario = yaml.safe_load(document.text)
            chip = yaml.safe_load(chip_document.text)
            for setting, value in zip(settings, values):
                parts = setting.parts
                if parts and parts[0] == "chip" and len(parts) > 1:
                    _assign(chip, parts[1:], value, setting.key)
                else:
                    _assign(scenario, parts, value, setting.key)
            scenario["seed"] = seed
            scenario["chip"] = "chip.yaml"
            scenario.pop("variants", None)
            _relocate_paths(scenario, scenario_path.parent)
            scenario.pop("sweep", None)
            slug = _slug(chosen, seed)
            if any(other.folder.name == slug for other in runs):  # settings whose last key names coincide
                slug = f"{slug}_{len(runs)}"
            run = Run(chosen, seed, out / "runs" / slug)
            if not run.folder.exists():
                created.append(run.folder)
            run.folder.mkdir(parents=True, exist_ok=True)
            (run.folder / "chip.yaml").write_text(yaml.safe_dump(chip, sort_keys=False))
            run.scenario_file.write_text(yaml.safe_dump(scenario, sort_keys=False))
            try:
                load_scenario(run.scenario_file)
            except DescriptionError as error:  # named after the files the user wrote, not the run's copies
                label = ", ".join(f"{k}={v}" for k, v in chosen.items()) or "the base scenario"
                for problem in error.problems:
                    original = chip_path if Path(problem.file).name == "chip.yaml" else scenario_path
                    problems.append(Problem(str(original), problem.path, f"{problem.message} (with {label})"))
            runs.append(run)
    if problems:
        for folder in created:  # a sweep that does not start leaves nothing behind
            shutil.rmtree(folder, ignore_errors=True)
        for folder in (out / "runs", out):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise DescriptionError(list(dict.fromkeys(problems)))  # once per problem, not per seed
    return runs


def _relocate_paths(scenario: dict, base: Path) -> None:
    """Data paths are relative to the original scenario; the run's copy lives elsewhere."""
    for block in ("learning", "training"):
        data = (scenario.get(block) or {}).get("data") or {}
        if data.get("path"):
            data["path"] = str((base / data["path"]).resolve())
    for entry in scenario.get("inputs", []):
        if isinstance(entry, dict) and entry.get("file"):
            entry["file"] = str((base / entry["file"]).resolve())
    programs = [action.get("program") for action in scenario.get("actions", []) if isinstance(action, dict)]
    for weights in [*(scenario.get("weights") or {}).values(), *programs]:
        if isinstance(weights, dict) and weights.get("file"):
            weights["file"] = str((base / weights["file"]).resolve())


def finished(run: Run) -> dict[str, Any] | None:
    """The metrics of a run whose trace is complete (a rerun skips it), else None."""
    from .traces import Trace

    for path in sorted(run.folder.glob("*.h5")):
        try:
            with Trace(path) as trace:
                if trace.status == "complete":
                    return trace_metrics(trace)
        except (NeurochipError, OSError):
            continue
    return None


def trace_metrics(trace) -> dict[str, Any]:
    from .energy.account import account_trace

    record = trace.learning()
    results = (record or {}).get("result_attrs", {})
    learned = {name: float(results[name]) if name in results else None
               for name in ("test_accuracy", "free_energy_accuracy", "reconstruction_error", "mean_image_error")}
    head = account_trace(trace).headline()
    spikes = sum(n for _, kind, _, n in trace.ledger() if kind == "spike")
    return {**learned, "energy_per_synaptic_op": head["per_synaptic_op"], "spikes": int(spikes),
            "wall_time": float(trace.file.attrs["wall_time"]), "trace": str(trace.path)}


def run_one(scenario_file: str) -> dict[str, Any]:
    """Run one sweep point (on a Dask worker); returns its metrics, or raises with its error."""
    from .runner import run_scenario
    from .traces import Trace

    setup = load_scenario(scenario_file)
    result = run_scenario(setup, Path(scenario_file).parent, progress=False)
    with Trace(result.path) as trace:
        metrics = trace_metrics(trace)
    metrics["status"] = result.status
    return metrics


class Summary:
    """summary.csv and summary.h5, rewritten from all rows each time one more run finishes."""

    def __init__(self, out: Path, keys: list[str]):
        self.csv, self.h5, self.keys = out / "summary.csv", out / "summary.h5", keys

    def write(self, runs: list[Run]) -> None:
        rows = [run.row() for run in runs if run.status != "pending"]
        columns = self.keys + ["seed", "status", *METRICS, "error", "trace"]
        temporary = self.csv.with_suffix(".csv.part")
        with open(temporary, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        temporary.replace(self.csv)  # a reader never sees half a table
        temporary = self.h5.with_suffix(".h5.part")
        with h5py.File(temporary, "w") as f:
            for column in columns:
                values = [row.get(column) for row in rows]
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and values:
                    f.create_dataset(column, data=np.array(values, dtype=float))
                else:
                    f.create_dataset(column, data=np.array(["" if v is None else str(v) for v in values], dtype=object),
                                     dtype=h5py.string_dtype())
        temporary.replace(self.h5)


def reach(scheduler: str) -> None:
    """Connect to a Dask scheduler once and let go; raises SweepError if none answers (within Dask's
    connect timeout), so that a sweep with a wrong address stops before it writes anything."""
    from dask.distributed import Client

    try:
        Client(scheduler).close()
    except (OSError, TimeoutError, ValueError) as error:  # refused or silent; ValueError: an unknown protocol
        raise SweepError(f"--scheduler {scheduler}: no Dask scheduler answered ({error})") from None


def execute(runs: list[Run], summary: Summary, scheduler: str | None = None, workers: int = 2,
            progress: bool = True) -> list[Run]:
    """Run every pending run on Dask; finished runs are skipped; the summary follows along."""
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    for run in runs:
        metrics = finished(run)
        if metrics is not None:
            run.status, run.metrics = "skipped (done before)", metrics
    todo = [run for run in runs if run.status == "pending"]
    summary.write(runs)
    bar = tqdm(total=len(runs), initial=len(runs) - len(todo), unit="run", desc="sweep", disable=not progress)
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=logging.ERROR)
            client = Client(cluster)
        with client:
            futures = {client.submit(run_one, str(run.scenario_file), key=f"neurochip-{run.folder.name}-{time.time_ns()}",
                                     pure=False): run for run in todo}
            for future in as_completed(futures):
                run = futures[future]
                try:
                    run.metrics = future.result()
                    run.status = run.metrics.pop("status")
                except Exception as error:  # the run's own failure, or its worker lost
                    run.status, run.error = "failed", f"{type(error).__name__}: {error}"
                summary.write(runs)
                bar.update()
    finally:
        bar.close()
        if cluster is not None:
            cluster.close()
    return runs


def plot_sweep(summary_csv: Path, x: str | None, y: str, out: Path) -> Path:
    """``y`` against the swept key ``x`` (default: the first column): mean +- standard deviation
    over seeds, every run as a dot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not summary_csv.is_file():
        raise SweepError(f"{summary_csv}: sweep summary not found")
    with open(summary_csv) as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0]) if rows else []
    x = x or (columns[0] if columns and columns[0] != "seed" else None)
    if x is None or x not in columns or y not in columns:
        raise SweepError(f"{summary_csv}: no column {x if x not in columns else y!r}; columns: {', '.join(columns)}")
    points: dict[float, list[float]] = {}
    for row in rows:
        try:
            points.setdefault(float(row[x]), []).append(float(row[y]))
        except (TypeError, ValueError):
            continue  # a failed run, or a value that is not a number
    if not points:
        raise SweepError(f"{summary_csv}: no run has a number for both {x!r} and {y!r}")
    xs = np.array(sorted(points))
    means = np.array([np.mean(points[v]) for v in xs])
    spread = np.array([np.std(points[v]) for v in xs])
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for value in xs:
        ax.plot([value] * len(points[value]), points[value], ".", color="0.6")
    ax.errorbar(xs, means, yerr=spread, fmt="o-", capsize=3, label="mean +- std over seeds")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if xs.min() > 0 and xs.max() / xs.min() >= 10:
        ax.set_xscale("log")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
