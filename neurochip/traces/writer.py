"""Streaming HDF5 trace writer: buffers in memory up to a bound, appends to growing datasets."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import h5py
import numpy as np

from ..ledger import Ledger
from . import layout

_CHUNK = 1 << 14
_COMPRESSION = {"compression": "gzip", "compression_opts": 4, "shuffle": True}


def package_versions() -> dict[str, str]:
    versions = {}
    for name in ("neurochip", "numpy", "simpy", "h5py", "pydantic", "pint"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


class _Appender:
    """A growing dataset fed in pieces; flushed to the file when ``bound`` rows are buffered."""

    def __init__(self, group: h5py.Group, name: str, dtype, width: int | None = None, bound: int = 1 << 16):
        shape = (0,) if width is None else (0, width)
        chunks = (_CHUNK,) if width is None else (max(1, min(_CHUNK, (1 << 18) // max(width, 1))), width)
        if width is not None:  # wide rows (a whole array's conductances): keep the buffer near 16 MB
            bound = max(1, min(bound, (1 << 22) // width))
        self.dataset = group.create_dataset(name, shape=shape, maxshape=(None,) + shape[1:], dtype=dtype,
                                            chunks=chunks, **_COMPRESSION)
        self.pieces: list[np.ndarray] = []
        self.buffered = 0
        self.bound = bound

    def append(self, values: np.ndarray) -> None:
        self.pieces.append(values)
        self.buffered += len(values)
        if self.buffered >= self.bound:
            self.flush()

    def flush(self) -> None:
        if not self.pieces:
            return
        block = np.concatenate(self.pieces)
        start = self.dataset.shape[0]
        self.dataset.resize(start + len(block), axis=0)
        self.dataset[start:] = block
        self.pieces.clear()
        self.buffered = 0


class TraceWriter:
    """Writes one run's trace while it goes. Create with ``open``; ``close`` with a status."""

    def __init__(self, path: Path, *, tick: float, flush_interval: float = 1.0):
        self.path = Path(path)
        self.tick = tick
        self.flush_interval = flush_interval
        self.file = h5py.File(self.path, "w-")  # never overwrite
        self.file.attrs.update(format=layout.FORMAT, version=layout.VERSION, status="running",
                               t_end=0.0, wall_time=0.0, error="")
        self._spikes: dict[tuple[str, str], tuple[_Appender, _Appender]] = {}
        self._state: dict[str, tuple[_Appender, dict[str, _Appender]]] = {}
        self._conductance: dict[str, tuple[_Appender, dict[str, _Appender]]] = {}
        self._started = time.perf_counter()
        self._last_flush = self._started

    def write_meta(self, *, chip: str, scenario: str, seed: int, duration: float,
                   chip_yaml: str, scenario_yaml: str) -> None:
        meta = self.file.create_group("meta")
        meta.attrs.update(chip=chip, scenario=scenario, seed=seed, tick=self.tick, duration=duration,
                          created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                          versions=json.dumps(package_versions()))
        meta.create_dataset("chip_yaml", data=chip_yaml)
        meta.create_dataset("scenario_yaml", data=scenario_yaml)

    def add_spike_group(self, sender: str, side: str, size: int, kind: str) -> None:
        group = self.file.require_group(f"spikes/{sender}").create_group(side)
        group.attrs.update(size=size, kind=kind)
        self._spikes[(sender, side)] = (_Appender(group, "t", np.float64), _Appender(group, "neuron", np.int32))

    def add_state_group(self, core: str, sides: dict[str, int], interval: float) -> None:
        group = self.file.require_group("state").create_group(core)
        group.attrs["interval"] = interval
        columns = {side: _Appender(group.create_group(side), "v", np.float32, width=size, bound=256)
                   for side, size in sides.items()}
        self._state[core] = (_Appender(group, "t", np.float64, bound=256), columns)

    def add_conductance_group(self, core: str, cells: np.ndarray, quantities: tuple[str, ...], cols: int) -> None:
        group = self.file.require_group("conductance").create_group(core)
        group.attrs["cols"] = cols
        group.create_dataset("cells", data=np.asarray(cells, np.int64))
        columns = {name: _Appender(group, name, np.float32, width=len(cells), bound=256) for name in quantities}
        self._conductance[core] = (_Appender(group, "t", np.float64, bound=256), columns)

    def on_conductance(self, core: str, tick: int, values: dict[str, np.ndarray]) -> None:
        times, columns = self._conductance[core]
        times.append(np.array([tick * self.tick]))
        for name, v in values.items():
            columns[name].append(np.asarray(v, np.float32)[np.newaxis])

    def add_learning_group(self, **attrs) -> None:
        group = self.file.create_group("learning")
        group.attrs.update(attrs)
        curve = group.create_group("curve")
        for name, dtype in (("samples", np.int64), ("t", np.float64), ("accuracy", np.float64)):
            curve.create_dataset(name, shape=(0,), maxshape=(None,), dtype=dtype, chunks=(256,))

    def on_learning_point(self, samples: int, t: float, accuracy: float) -> None:
        """One point of the learning curve, written through at once (they are few and precious)."""
        self.file["learning"].attrs["samples_seen"] = samples
        curve = self.file["learning/curve"]
        for name, value in (("samples", samples), ("t", t), ("accuracy", accuracy)):
            curve[name].resize(curve[name].shape[0] + 1, axis=0)
            curve[name][-1] = value
        self.file.flush()

    def write_learning_results(self, samples_seen: int, arrays: dict[str, np.ndarray], **attrs) -> None:
        self.file["learning"].attrs["samples_seen"] = samples_seen
        group = self.file.require_group("learning/results")
        group.attrs.update(attrs)
        for name, array in arrays.items():
            group.create_dataset(name, data=array, **_COMPRESSION)

    def on_spikes(self, sender: str, side: str, tick: int, ids: np.ndarray) -> None:
        """Router observer: buffer one tick's spikes of one sender's side."""
        times, neurons = self._spikes[(sender, side)]
        times.append(np.full(ids.size, tick * self.tick))
        neurons.append(ids.astype(np.int32, copy=False))

    def on_state(self, core: str, tick: int, values: dict[str, np.ndarray]) -> None:
        times, columns = self._state[core]
        times.append(np.array([tick * self.tick]))
        for side, v in values.items():
            columns[side].append(v[np.newaxis].astype(np.float32))

    def _appenders(self):
        for pair in self._spikes.values():
            yield from pair
        for times, columns in (*self._state.values(), *self._conductance.values()):
            yield from columns.values()
            yield times  # last: a reader trusts only rows that have a time

    def flush(self, ledger: Ledger, tick: int) -> None:
        for appender in self._appenders():
            appender.flush()
        self._write_ledger(ledger)
        self.file.attrs.update(t_end=tick * self.tick, wall_time=time.perf_counter() - self._started)
        self.file.flush()
        self._last_flush = time.perf_counter()

    def maybe_flush(self, ledger: Ledger, tick: int) -> None:
        """Flush if ``flush_interval`` wall-clock seconds have passed since the last flush."""
        if time.perf_counter() - self._last_flush >= self.flush_interval:
            self.flush(ledger, tick)

    def _write_ledger(self, ledger: Ledger) -> None:
        if "ledger" in self.file:
            del self.file["ledger"]
        group = self.file.create_group("ledger")
        _write_table(group, ("core", "kind", "stage"), ledger.items(), "count", np.int64)
        _write_table(group.create_group("measures"), ("core", "name", "stage"), ledger.measures(), "value", float)
        _write_table(group.create_group("time"), ("stage",), list(ledger.stage_seconds().items()), "seconds", float)

    def close(self, ledger: Ledger, tick: int, status: str, error: str = "") -> None:
        if status not in layout.STATUSES:
            raise ValueError(f"unknown status {status!r}")
        try:
            self.flush(ledger, tick)
            self.file.attrs.update(status=status, error=error)
        finally:
            self.file.close()


def _write_table(group: h5py.Group, keys: tuple[str, ...], rows: list[tuple], value: str, dtype) -> None:
    """Rows of (key strings..., value) as one string dataset per key and one ``value`` dataset."""
    strings = h5py.string_dtype()
    for index, name in enumerate(keys):
        group.create_dataset(name, data=np.array([row[index] for row in rows], dtype=object), dtype=strings)
    group.create_dataset(value, data=np.array([row[-1] for row in rows], dtype=dtype))
