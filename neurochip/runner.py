"""Run a scenario end to end: build the chip, stream the trace, stop cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .chip import Chip, build_chip
from .description import Setup
from .actions import run_actions
from .analog.mlp import TrainingRun
from .kernel.engine import Engine
from .learning.session import LearningResult, LearningRun
from .ledger import Ledger
from .randomness import Streams
from .recording import ConductanceRecorder, sample_state
from .traces import TraceWriter


@dataclass
class RunResult:
    path: Path
    status: str
    simulated: float  # s
    wall_time: float  # s
    ledger: Ledger
    chip: Chip
    learning: LearningResult | None = None


def trace_path(out_dir: Path, name: str, seed: int) -> Path:
    """``<out>/<scenario>-seed<N>.h5``, numbered ``-1``, ``-2``... rather than overwrite a trace."""
    path = out_dir / f"{name}-seed{seed}.h5"
    number = 0
    while path.exists():
        number += 1
        path = out_dir / f"{name}-seed{seed}-{number}.h5"
    return path


@contextmanager
def _stop_on_sigint(engine: Engine):
    """First Ctrl-C asks the engine to stop between two events; a second one aborts at once.
    A run started with SIGINT ignored (a background job of a script) leaves it ignored, as
    Python itself and ``neurochip sweep`` do."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield
        return

    def handler(signum, frame):
        engine.stop_requested = True
        signal.signal(signal.SIGINT, previous)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not in the main thread: no handler, nothing to restore
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_scenario(setup: Setup, out_dir: Path, progress: bool = True) -> RunResult:
    scenario, chip_spec = setup.scenario, setup.chip
    out_dir.mkdir(parents=True, exist_ok=True)
    engine = Engine(chip_spec.clock.tick)
    ledger = Ledger(clock=lambda: engine.seconds(engine.now))
    streams = Streams(scenario.seed)
    chip = build_chip(setup, engine, ledger, streams)
    record = scenario.record

    writer = TraceWriter(trace_path(out_dir, scenario.name, scenario.seed), tick=engine.tick,
                         flush_interval=record.flush_interval)
    writer.write_meta(chip=chip_spec.name, scenario=scenario.name, seed=scenario.seed,
                      duration=scenario.duration or 0.0, chip_yaml=setup.chip_document.text,
                      scenario_yaml=setup.scenario_document.text)
    learning = None
    if scenario.learning is not None:
        learning = LearningRun(scenario.learning, setup.datasets, chip, streams, writer, progress,
                               after_sample=lambda: writer.maybe_flush(ledger, engine.now))
    elif scenario.training is not None:
        learning = TrainingRun(scenario.training, setup.datasets, chip, streams, writer, progress,
                               after_batch=lambda: writer.maybe_flush(ledger, engine.now))
    if record.spikes:
        for name, core in chip.cores.items():
            for side, pop in core.neurons.items():
                if pop is not None:
                    writer.add_spike_group(name, side, pop.size, "core")
        for name, source in chip.sources.items():
            writer.add_spike_group(name, "out", source.size, "input")
        chip.router.observers.append(writer.on_spikes)
    if record.state_interval is not None:
        cores = record.state_cores or list(chip.cores)
        for name in cores:
            sizes = {side: pop.size for side, pop in chip.cores[name].neurons.items() if pop}
            writer.add_state_group(name, sizes, record.state_interval)
        engine.process(sample_state(engine, chip, writer, cores, max(1, engine.ticks(record.state_interval))))
    if record.conductance_interval is not None or scenario.actions:
        conductances = ConductanceRecorder(engine, chip, writer, record)
        engine.process(run_actions(engine, chip, scenario.actions, streams, setup.weight_files,
                                   after=conductances.snapshot))

    bar = None
    if learning is None:
        bar = tqdm(total=round(scenario.duration * 1e3, 3), unit="ms", desc=scenario.name, disable=not progress,
                   bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} ms simulated "
                              "[{elapsed}<{remaining}]")

    def on_progress(now: int) -> None:
        bar.update(round(now * engine.tick * 1e3, 3) - bar.n)
        writer.maybe_flush(ledger, now)

    started = time.perf_counter()
    status, error = "failed", ""
    try:
        with _stop_on_sigint(engine):
            if learning is None:
                engine.run(engine.ticks(scenario.duration), progress=on_progress)
            else:
                learned = learning.run()
        status = "interrupted" if engine.stop_requested else "complete"
    except KeyboardInterrupt:  # a second Ctrl-C: still leave a readable trace
        status = "interrupted"
        raise
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        if bar is not None:
            bar.close()
        writer.close(ledger, engine.now, status, error)
    return RunResult(writer.path, status, engine.now * engine.tick, time.perf_counter() - started, ledger, chip,
                     learned if learning is not None else None)
