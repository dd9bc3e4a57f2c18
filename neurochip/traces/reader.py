"""Read a trace into numpy arrays; every failure is a ``TraceError`` naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from ..errors import TraceError
from . import layout


class Trace:
    """A neurochip trace opened for reading (use as a context manager, or call ``close``)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise TraceError(f"{self.path}: trace file not found")
        try:
            self.file = h5py.File(self.path, "r")
        except OSError as error:
            raise TraceError(f"{self.path}: not a readable HDF5 file ({error})") from None
        attrs = self.file.attrs
        if attrs.get("format") != layout.FORMAT:
            self.file.close()
            raise TraceError(f"{self.path}: not a neurochip trace (no format attribute {layout.FORMAT!r})")
        if int(attrs.get("version", -1)) != layout.VERSION:
            self.file.close()
            raise TraceError(f"{self.path}: trace layout version {attrs.get('version')} "
                             f"is not the supported version {layout.VERSION}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.file.close()

    @property
    def status(self) -> str:
        return str(self.file.attrs["status"])

    @property
    def duration(self) -> float:
        """Simulated time the trace covers (s)."""
        return float(self.file.attrs["t_end"])

    @property
    def meta(self) -> dict:
        meta = dict(self.file["meta"].attrs) if "meta" in self.file else {}
        if "versions" in meta:
            meta["versions"] = json.loads(meta["versions"])
        return meta

    def text(self, name: str) -> str:
        """``"chip_yaml"`` or ``"scenario_yaml"``: the description as it was run."""
        return self.file[f"meta/{name}"].asstr()[()]

    def spike_groups(self) -> list[tuple[str, str, str, int]]:
        """(sender, side, kind, size) for every spike group, cores first."""
        groups = []
        for sender, by_side in self.file.get("spikes", {}).items():
            for side, group in by_side.items():
                groups.append((sender, side, str(group.attrs["kind"]), int(group.attrs["size"])))
        return sorted(groups, key=lambda g: (g[2] != "core", g[0], g[1]))

    def spikes(self, sender: str, side: str) -> tuple[np.ndarray, np.ndarray]:
        """Spike times (s) and neuron indices of one sender's side."""
        key = f"spikes/{sender}/{side}"
        if key not in self.file:
            known = ", ".join(f"{s}.{d}" for s, d, _, _ in self.spike_groups())
            raise TraceError(f"{self.path}: no spikes recorded for {sender}.{side} (recorded: {known})")
        group = self.file[key]
        return group["t"][:], group["neuron"][:]

    def state(self, core: str, side: str, variable: str = "v") -> tuple[np.ndarray, np.ndarray]:
        """Sample times (s) and an array (samples, neurons) of a state variable."""
        key = f"state/{core}/{side}/{variable}"
        if key not in self.file:
            raise TraceError(f"{self.path}: no {variable} sampled for {core}.{side}")
        times = self.file[f"state/{core}/t"][:]
        values = self.file[key][:]
        n = min(len(times), len(values))  # an interrupted run may hold one row more in one of them
        return times[:n], values[:n]

    def conductance_cores(self) -> list[str]:
        return list(self.file.get("conductance", {}))

    def conductance_cells(self, core: str) -> np.ndarray:
        """Flat indices (row * cols + col) of the cells whose conductances were sampled on ``core``."""
        return self._conductance_group(core)["cells"][:]

    def _conductance_group(self, core: str):
        key = f"conductance/{core}"
        if key not in self.file:
            raise TraceError(f"{self.path}: no conductances sampled for core {core!r}")
        return self.file[key]

    def conductance(self, core: str) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Sample times (s), flat cell indices (row * cols + col), and per quantity (samples, cells).

        Quantities: ``g_plus`` and ``g_minus`` (S) for PCM pairs, ``w`` for single-valued devices.
        """
        group = self._conductance_group(core)
        times = group["t"][:]
        order = {"g_plus": 0, "g_minus": 1}
        names = sorted((name for name in group if name not in ("t", "cells")), key=lambda n: (order.get(n, 2), n))
        values = {name: group[name][: len(times)] for name in names}
        n = min([len(times)] + [len(v) for v in values.values()])
        return times[:n], group["cells"][:], {name: v[:n] for name, v in values.items()}

    def ledger(self) -> list[tuple[str, str, str, int]]:
        """(core, kind, stage, count) rows."""
        return [(*keys, int(n)) for *keys, n in self._table("ledger", ("core", "kind", "stage"), "count")]

    def ledger_measures(self) -> list[tuple[str, str, str, float]]:
        """(core, measure, stage, value) rows (see neurochip.ledger.MEASURES)."""
        return [(*keys, float(v)) for *keys, v in self._table("ledger/measures", ("core", "name", "stage"), "value")]

    def stage_seconds(self) -> dict[str, float]:
        """Simulated seconds spent in each stage (empty for traces written before stages were timed)."""
        return {stage: float(s) for stage, s in self._table("ledger/time", ("stage",), "seconds")}

    def _table(self, path: str, keys: tuple[str, ...], value: str) -> list[tuple]:
        if path not in self.file:
            return []
        group = self.file[path]
        columns = [group[name].asstr()[:] for name in keys]
        return list(zip(*columns, group[value][:]))

    def learning(self) -> dict | None:
        """A learning run's record: its attributes, the curve, and the results (None for a plain run)."""
        if "learning" not in self.file:
            return None
        group = self.file["learning"]
        curve = group["curve"]
        n = min(curve[name].shape[0] for name in curve)
        record = {"attrs": dict(group.attrs), "curve": {name: curve[name][:n] for name in curve},
                  "results": {}, "result_attrs": {}}
        if "results" in group:
            record["results"] = {name: group["results"][name][()] for name in group["results"]}
            record["result_attrs"] = dict(group["results"].attrs)
        return record
