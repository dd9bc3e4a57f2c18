"""The ``neurochip`` command: thin wrappers over the library; user errors exit with status 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import NeurochipError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def _run(args) -> int:
    from .description import load_scenario
    from .report import run_summary
    from .runner import run_scenario

    setup = load_scenario(args.scenario, seed=args.seed)
    result = run_scenario(setup, Path(args.out), progress=not args.quiet)
    print(run_summary(result))
    return EXIT_INTERRUPTED if result.status == "interrupted" else 0


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


def _plot(args) -> int:
    from .plots import plot_conductance, plot_raster
    from .traces import Trace

    out = Path(args.out if args.out else Path(args.trace).with_suffix(""))
    with Trace(args.trace) as trace:
        written = [plot_raster(trace, out.parent / f"{out.name}.raster.png", bin_width=args.bin)]
        if trace.conductance_cores():
            written.append(plot_conductance(trace, out.parent / f"{out.name}.conductance.png", cells=args.cells))
    for path in written:
        print(f"wrote {path}")
    return 0


def _device_response(args) -> int:
    from .description import load_chip
    from .devices.response import pulse_response
    from .errors import NeurochipError
    from .plots import plot_device_response

    chip, _ = load_chip(args.chip)
    core = chip.core(args.core) if args.core else chip.cores[0]
    if core is None:
        raise NeurochipError(f"{args.chip}: no core named {args.core!r} (cores: {', '.join(c.name for c in chip.cores)})")
    if args.pulses < 1 or args.devices < 1:
        raise NeurochipError("--pulses and --devices must be at least 1")
    responses = pulse_response(core.device, args.pulses, args.devices, seed=args.seed)
    out = Path(args.out or f"{chip.name}-{core.name}-response.png")
    title = f"{chip.name} / {core.name}: {core.device.model} device response ({args.devices} devices)"
    plot_device_response(responses, title, out)
    weight = responses["weight"]
    print(f"{core.device.model}: weight after {args.pulses} potentiating pulses {weight[args.pulses].mean():.4g} "
          f"+- {weight[args.pulses].std():.2g}, after as many depressing {weight[-1].mean():.4g} +- {weight[-1].std():.2g}")
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

    plot = commands.add_parser("plot", help="spike raster with population rate, as PNG")
    plot.add_argument("trace")
    plot.add_argument("--out", help="file stem: writes STEM.raster.png, STEM.conductance.png (default: the trace's)")
    plot.add_argument("--bin", type=float, default=None, help="rate bin width in seconds (default: duration / 200)")
    plot.add_argument("--cells", type=lambda text: [int(c) for c in text.split(",")], default=None,
                      help="flat cell indices (row * cols + col) whose conductance traces to draw, e.g. 0,1,833")
    plot.set_defaults(handler=_plot)

    response = commands.add_parser("device-response", help="pulse-response plot of a chip's device model")
    response.add_argument("chip", help="chip file (chips/*.yaml)")
    response.add_argument("--core", help="core whose device is used (default: the first)")
    response.add_argument("--pulses", type=int, default=400, help="potentiating pulses, then as many depressing")
    response.add_argument("--devices", type=int, default=200, help="devices pulsed together")
    response.add_argument("--seed", type=int, default=0)
    response.add_argument("--out", help="PNG file (default: <chip>-<core>-response.png)")
    response.set_defaults(handler=_device_response)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "seed", None) is not None and args.seed < 0:
        print("neurochip: error: --seed must be a whole number >= 0", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        return args.handler(args)
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
