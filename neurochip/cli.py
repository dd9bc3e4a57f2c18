"""The ``neurochip`` command: thin wrappers over the library; user errors exit with status 2."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import NeurochipError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that stopped early


def _run(args) -> int:
    from .description import load_variants
    from .report import run_summary
    from .runner import run_scenario

    setups = load_variants(args.scenario, seed=args.seed)  # every variant checked before any runs
    traces = []
    for setup in setups:
        result = run_scenario(setup, Path(args.out), progress=not args.quiet)
        print(run_summary(result))
        if result.learning is not None:
            from .learning.figures import learning_figures

            for path in learning_figures(result.path):
                print(f"wrote {path}")
        traces.append((setup, result.path))
        if result.status == "interrupted":
            return EXIT_INTERRUPTED
    if len(setups) > 1:
        from .compare import comparison_text, curves_figure, run_figures, write_csv

        rows = [run_figures(setup.variant, path) for setup, path in traces]
        name, seed = setups[0].scenario_document.data["name"], setups[0].scenario.seed
        print("\n" + comparison_text(rows))
        stem = Path(args.out) / f"{name}-seed{seed}-comparison"
        print(f"wrote {write_csv(rows, stem.with_suffix('.csv'))}")
        figure = curves_figure(rows, stem.with_suffix(".png"))
        if figure is not None:
            print(f"wrote {figure}")
    return 0


def _check(args) -> int:
    from .description import check_file
    from .errors import DescriptionError

    problems = []
    for path in args.files:
        try:
            kind = check_file(path)
            print(f"{path}: valid {kind}")
        except DescriptionError as error:
            problems.extend(error.problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_USER_ERROR if problems else 0


def _inspect(args) -> int:
    from .report import inspect_text
    from .traces import Trace

    with Trace(args.trace) as trace:
        print(inspect_text(trace))
    return 0


def _energy(args) -> int:
    import json

    from .energy.account import account_trace
    from .energy.report import energy_chart, energy_json, energy_text
    from .traces import Trace

    chart = None if args.json else _output(args.chart or Path(args.trace).with_suffix("").with_suffix(".energy.png"),
                                           "--chart")
    with Trace(args.trace) as trace:
        account = account_trace(trace, args.preset)
    if args.json:
        print(json.dumps(energy_json(account), indent=2))
        return 0
    print(energy_text(account))
    print(f"\nwrote {energy_chart(account, chart)}")
    return 0


def _sweep(args) -> int:
    from .description import load_scenario
    from .sweep import Setting, Summary, execute, plan, reach

    base = load_scenario(args.scenario)  # the scenario itself must be valid first
    defaults = base.scenario.sweep
    settings = [Setting.parse(text) for text in args.set] if args.set else \
        [Setting(key, tuple(values)) for key, values in (defaults.set.items() if defaults else [])]
    seeds = args.seeds or (defaults.seeds if defaults else 1)
    out = Path(args.out or Path("sweeps") / base.scenario.name)
    if args.scheduler:
        reach(args.scheduler)
    runs = plan(Path(args.scenario), settings, seeds, out)
    print(f"sweep {base.scenario.name}: {len(runs)} runs ({' x '.join(str(len(s.values)) for s in settings) or '1'}"
          f" settings x {seeds} seeds) in {out}")
    summary = Summary(out, [s.key for s in settings])
    try:
        execute(runs, summary, args.scheduler, args.workers, progress=not args.quiet)
    finally:
        done = [r for r in runs if r.status != "pending"]
        failed = [r for r in done if r.status == "failed"]
        print(f"{len(done)} of {len(runs)} runs done ({len(failed)} failed); summary {summary.csv} and {summary.h5}")
        for run in failed:
            print(f"  failed: {run.folder.name}: {run.error}")
    return 1 if failed else 0


def _plot(args) -> int:
    from .plots import plot_conductance, plot_raster
    from .traces import Trace

    if args.trace.endswith(".csv"):  # a sweep's summary: a metric against a swept setting
        from .sweep import plot_sweep

        out = _output(args.out or Path(args.trace).with_name(f"{args.y}.png"), "--out")
        print(f"wrote {plot_sweep(Path(args.trace), args.x, args.y, out)}")
        return 0
    out = _output(args.out or Path(args.trace).with_suffix(""), "--out")
    with Trace(args.trace) as trace:
        if args.cells:
            sampled = set().union(*(trace.conductance_cells(core).tolist() for core in trace.conductance_cores()))
            missing = [cell for cell in args.cells if cell not in sampled]
            if missing:
                print(f"{args.trace}: --cells {','.join(map(str, missing))} not sampled (the trace holds "
                      f"{len(sampled)} cells' conductances; record.conductance_cells chooses them)", file=sys.stderr)
                return EXIT_USER_ERROR
        written = ([plot_raster(trace, out.parent / f"{out.name}.raster.png", bin_width=args.bin)]
                   if trace.spike_groups() else [])
        if trace.conductance_cores():
            written.append(plot_conductance(trace, out.parent / f"{out.name}.conductance.png", cells=args.cells))
        learned = trace.learning() is not None
    if learned:
        from .learning.figures import learning_figures

        written += learning_figures(Path(args.trace), out)
    for path in written:
        print(f"wrote {path}")
    return 0


def _device_response(args) -> int:
    from .description import load_chip
    from .devices.response import pulse_response
    from .plots import plot_device_response

    chip, _ = load_chip(args.chip)
    core = _core_of(chip, args.chip, args.core)
    out = _output(args.out or f"{chip.name}-{core.name}-response.png", "--out")
    responses = pulse_response(core.device, args.pulses, args.devices, seed=args.seed)
    title = f"{chip.name} / {core.name}: {core.device.model} device response ({args.devices} devices)"
    plot_device_response(responses, title, out)
    weight = responses["weight"]
    print(f"{core.device.model}: weight after {args.pulses} potentiating pulses {weight[args.pulses].mean():.4g} "
          f"+- {weight[args.pulses].std():.2g}, after as many depressing {weight[-1].mean():.4g} +- {weight[-1].std():.2g}")
    print(f"wrote {out}")
    return 0


def _output(path: str | Path, option: str) -> Path:
    """An output file's path (or a stem), refused before any work when its folder is missing or read-only."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise NeurochipError(f"{option} {path}: no folder {folder} to write into")
    if not os.access(folder, os.W_OK):
        raise NeurochipError(f"{option} {path}: folder {folder} is not writable")
    return path


def _core_of(chip, path, name):
    core = chip.core(name) if name else chip.cores[0]
    if core is None:
        raise NeurochipError(f"{path}: no core named {name!r} (cores: {', '.join(c.name for c in chip.cores)})")
    return core


def _validate(args) -> int:
    from .description import load_chip
    from .plots import plot_validation
    from .report import table
    from .validation import validate

    chip, _ = load_chip(args.chip)
    out = _output(args.out or f"{chip.name}-validation.png", "--out")  # before the minutes of Brian2 runs
    checks = validate(chip, quick=args.quick)
    print(table(["check", "result", "details"], [[c.name, "pass" if c.passed else "FAIL", c.detail] for c in checks],
                "<<<"))
    plot_validation(checks, out)
    failed = sum(not c.passed for c in checks)
    print(f"{len(checks) - failed} of {len(checks)} checks passed; wrote {out}")
    return 1 if failed else 0


def _transfer(args) -> int:
    import numpy as np

    from .description import load_chip
    from .description.chip import GaussianNoiseSpec, PinkNoiseSpec, RandomWalkSpec
    from .plots import plot_transfer
    from .report import table
    from .transfer import clock_for, measure

    chip, _ = load_chip(args.chip)
    core = _core_of(chip, args.chip, args.core)
    out = _output(args.out or f"{chip.name}-{core.name}-transfer.png", "--out")
    lif = core.neurons.cols or core.neurons.rows
    circuits = [("chip: " + (core.noise.kind if core.noise else "no noise"), core.noise)]
    if args.compare:
        circuits += [(f"{spec.kind} (defaults)" if spec else "no noise", spec) for spec in
                     (RandomWalkSpec(kind="random-walk"), GaussianNoiseSpec(kind="gaussian"),
                      PinkNoiseSpec(kind="pink"), None) if spec != core.noise]
    curves = []
    for label, noise in circuits:
        pink = isinstance(noise, PinkNoiseSpec)
        low, high = (lif.v_th - 0.2, lif.v_th + 0.3) if pink else (lif.v_th - 1.6, lif.v_th + 0.8)
        drives = np.linspace(low, high, args.points)
        tick = clock_for(noise, chip.clock.tick)  # a default circuit's 10 us period on a 100 us chip: a finer clock
        label += f" (on a {tick * 1e6:g} us clock)" if tick != chip.clock.tick else ""
        curves.append(measure(core, tick, drives, args.duration, drive="synaptic" if pink else "constant",
                              seed=args.seed, label=label + (" (synaptic drive)" if pink else ""), noise=noise))
    print(table(["circuit", "offset", "width", "largest misfit"],
                [[c.label, f"{c.offset:.3f}", f"{c.width:.3f}", f"{c.misfit:.3f}"] for c in curves], "<>>>"))
    plot_transfer(curves, out, f"{chip.name} / {core.name}: firing probability against mean input")
    print(f"wrote {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="neurochip", description="Event-driven emulator of spiking neuromorphic chips.")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a scenario and write its HDF5 trace")
    run.add_argument("scenario", help="scenario file (scenarios/*.yaml)")
    run.add_argument("--out", default="runs", help="folder for the trace (default: runs)")
    run.add_argument("--seed", type=int, help="override the scenario's seed")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)

    check = commands.add_parser("check", help="validate chip and scenario files")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(handler=_check)

    inspect = commands.add_parser("inspect", help="summarise a trace")
    inspect.add_argument("trace")
    inspect.set_defaults(handler=_inspect)

    energy = commands.add_parser("energy", help="energy per event kind, core and stage of a trace, priced")
    energy.add_argument("trace")
    energy.add_argument("--preset", help="price with this preset instead of the chip file's (pcm-90nm, pcm-28nm, "
                                         "loihi); the chip file's overrides are then left out")
    energy.add_argument("--json", action="store_true", help="print everything as JSON (SI units) instead")
    energy.add_argument("--chart", help="PNG breakdown (default: <trace>.energy.png)")
    energy.set_defaults(handler=_energy)

    sweep = commands.add_parser("sweep", help="run a scenario over settings and seeds on Dask; one summary table")
    sweep.add_argument("scenario")
    sweep.add_argument("--set", action="append", default=[], metavar="KEY.PATH=V1,V2,...",
                       help="values of a scenario key path (chip.KEY.PATH for the chip file); repeat for more")
    sweep.add_argument("--seeds", type=at_least(1), help="seeds per point: the scenario's seed and the next ones")
    sweep.add_argument("--scheduler", help="address of a Dask scheduler (default: a local cluster)")
    sweep.add_argument("--workers", type=at_least(1), default=2, help="workers of the local cluster (default 2)")
    sweep.add_argument("--out", help="folder of the sweep (default: sweeps/<scenario>)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=_sweep)

    plot = commands.add_parser("plot", help="spike raster with population rate, as PNG")
    plot.add_argument("trace", help="a trace (.h5), or a sweep's summary.csv")
    plot.add_argument("--x", help="sweep summary: the setting on the x axis (default: the first column)")
    plot.add_argument("--y", default="test_accuracy", help="sweep summary: the metric (default test_accuracy)")
    plot.add_argument("--out", help="file stem: writes STEM.raster.png, STEM.conductance.png (default: the trace's)")
    plot.add_argument("--bin", type=positive_seconds, default=None,
                      help="rate bin width in seconds (default: duration / 200)")
    plot.add_argument("--cells", type=lambda text: [int(c) for c in text.split(",")], default=None,
                      help="flat cell indices (row * cols + col) whose conductance traces to draw, e.g. 0,1,833")
    plot.set_defaults(handler=_plot)

    response = commands.add_parser("device-response", help="pulse-response plot of a chip's device model")
    response.add_argument("chip", help="chip file (chips/*.yaml)")
    response.add_argument("--core", help="core whose device is used (default: the first)")
    response.add_argument("--pulses", type=at_least(1), default=400, help="potentiating pulses, then as many depressing")
    response.add_argument("--devices", type=at_least(1), default=200, help="devices pulsed together")
    response.add_argument("--seed", type=int, default=0)
    response.add_argument("--out", help="PNG file (default: <chip>-<core>-response.png)")
    response.set_defaults(handler=_device_response)

    validate = commands.add_parser("validate", help="cross-check the chip's neuron model against Brian2")
    validate.add_argument("chip", help="chip file (chips/*.yaml)")
    validate.add_argument("--quick", action="store_true", help="fewer drives, trials and seconds for the noise check")
    validate.add_argument("--out", help="PNG overlay (default: <chip>-validation.png)")
    validate.set_defaults(handler=_validate)

    transfer = commands.add_parser("transfer", help="firing probability against mean input (sigmoid) per noise circuit")
    transfer.add_argument("chip", help="chip file (chips/*.yaml)")
    transfer.add_argument("--core", help="core whose neurons are measured (default: the first)")
    transfer.add_argument("--compare", action="store_true", help="also the other noise circuits, with defaults")
    transfer.add_argument("--duration", type=positive_seconds, default=1.0, help="simulated seconds per curve")
    transfer.add_argument("--points", type=at_least(2), default=25, help="drive values per curve (2 or more)")
    transfer.add_argument("--seed", type=int, default=0)
    transfer.add_argument("--out", help="PNG file (default: <chip>-<core>-transfer.png)")
    transfer.set_defaults(handler=_transfer)
    return main


def positive_seconds(text: str) -> float:
    """An argument in seconds, > 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a time in seconds > 0, got {text!r}")
    return value


def at_least(low: int):
    """An argument type: a whole number >= ``low``."""
    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {text!r}")
        return value
    return whole_number


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "seed", None) is not None:
        from .description.scenario import MAX_SEED

        if not 0 <= args.seed <= MAX_SEED:
            print(f"neurochip: error: --seed must be a whole number from 0 to {MAX_SEED} (2**63 - 1)", file=sys.stderr)
            return EXIT_USER_ERROR
    try:
        status = args.handler(args)
        sys.stdout.flush()  # a reader that stopped early shows here, not in an error at interpreter exit
        return status
    except BrokenPipeError:  # `neurochip inspect TRACE | head`: the rest was not wanted; nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except NeurochipError as error:
        print(f"{error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("neurochip: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:  # an unwritable output folder, a full disk
        print(f"neurochip: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
