"""Load, validate and cross-check chip and scenario descriptions.

Every problem found is reported at once, each located by file, line and key path.
Schema problems come from pydantic; cross-file problems (a route to a core that does
not exist, a network larger than its cores, a missing data file) are checked here, those of
the learning and training blocks in ``experiment_checks``.
NumPy files are read with ``allow_pickle=False``: loading never executes code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from ..errors import DescriptionError, Problem
from .chip import ChipSpec, whole_ticks
from .experiment_checks import check_learning, check_training
from .scenario import (ActionSpec, CellsSpec, InputSpec, PoissonInputSpec, RouteSpec, ScenarioSpec, SpikeTimesInputSpec,
                       WeightsSpec, split_endpoint)
from .yamlfile import KeyPath, YamlDocument


def _data_path(data: Any, loc: tuple) -> KeyPath:
    """Map a pydantic error location onto the keys written in the file.

    pydantic puts names of its own into locations (the tag of a tagged union, an input's
    ``kind`` or a device's ``model``; validator names with brackets); only parts that
    index into the data, or name a missing key, are kept.
    """
    path: list[str | int] = []
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(data, dict) and isinstance(part, str) and "[" not in part and \
                part not in (data.get("kind"), data.get("model")):
            data = None  # a required key that is missing: name it
        else:
            continue
        path.append(part)
    return tuple(path)


_BOUNDS = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}
_WORDS = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}


def _message(error: dict, written: Any) -> str:
    kind = error["type"]
    if kind in _BOUNDS:
        bound = error["ctx"][_BOUNDS[kind]]
        si = " (in SI units)" if isinstance(written, str) else ""  # "-1 ms" was compared as -0.001
        return f"must be {_WORDS[_BOUNDS[kind]]} {bound}{si}, got {written!r}"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind.endswith(("_type", "_parsing")) and "got" not in message:
        message += f", got {written!r}"
    if kind == "string_pattern_mismatch":
        if "rows|cols" in error["ctx"]["pattern"]:
            return f"expected a core's lines, 'core.rows' or 'core.cols', got {error['input']!r}"
        return f"expected a name of letters, digits, '_' and '-' (like 'core0'), got {error['input']!r}"
    return message


def _written(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _repeated_names(document: YamlDocument, key: str) -> list[Problem]:
    """Entries of the list ``key`` whose ``name`` an earlier entry already has."""
    entries = document.data.get(key)
    seen: set = set()
    problems = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name in seen:
            problems.append(document.problem((key, index, "name"), f"name {name!r} is used twice in {key}"))
        seen.add(name)
    return problems


def _validate(model: type, document: YamlDocument, named_list: str):
    problems = _repeated_names(document, named_list)
    try:
        return model.model_validate(document.data), problems
    except ValidationError as error:
        for item in error.errors():
            path = _data_path(document.data, item["loc"])
            problems.append(document.problem(path, _message(item, _written(document.data, path))))
        return None, problems


def _kind_of(document: YamlDocument) -> str | None:
    """"chip" (it lists cores), "scenario" (it names a chip) or None, by the file's top-level keys."""
    return "chip" if "cores" in document.data else "scenario" if "chip" in document.data else None


def _not_the_other_kind(document: YamlDocument, expected: str) -> None:
    """One clear line, instead of a schema error per key, when a scenario is given for a chip or the reverse."""
    kind = _kind_of(document)
    if kind is None or kind == expected:
        return
    found = "a scenario (it names its chip with 'chip:')" if kind == "scenario" else \
        "a chip description (it lists 'cores:')"
    wanted = "a chip description (chips/*.yaml)" if expected == "chip" else "a scenario (scenarios/*.yaml)"
    raise DescriptionError([Problem(document.name, "", f"this is {found}; expected {wanted} here")])


def load_chip(path: str | Path, text: str | None = None) -> tuple[ChipSpec, YamlDocument]:
    """Read and validate a chip description (from ``text`` when given, named ``path``);
    raises ``DescriptionError`` listing every problem."""
    document = YamlDocument(Path(path), text)
    _not_the_other_kind(document, "chip")
    chip, problems = _validate(ChipSpec, document, "cores")
    if chip is not None:
        problems += _off_the_clock(chip, document)
    if problems:
        raise DescriptionError(problems)
    return chip, document


def _off_the_clock(chip: ChipSpec, document: YamlDocument) -> list[Problem]:
    """Times a core counts in ticks that are not a whole number of them: a noise circuit's period and a
    controller's window (at least one tick), a refractory period (zero allowed). Cores act on tick edges, so
    each would silently become another time, and the noise's statistics or the neuron's dead time with it."""
    problems = []
    for index, core in enumerate(chip.cores):
        spans = [(("noise", "period"), getattr(core.noise, "period", None), 1)]
        spans += [(("neurons", side, "refractory"), getattr(core.neurons, side).refractory, 0)
                  for side in ("rows", "cols") if getattr(core.neurons, side) is not None]
        if core.controller is not None:
            spans.append((("controller", "window"), core.controller.window, 1))
        problems += _not_whole_ticks(document, [(("cores", index) + key, span, least) for key, span, least in spans],
                                     chip.clock.tick)
    return problems


def _not_whole_ticks(document: YamlDocument, spans: list[tuple[KeyPath, float | None, int]], tick: float) -> list[Problem]:
    """A problem for each (key path, time in s or None, least number of ticks) that is not a whole number
    of at least that many ticks of ``tick``."""
    problems = []
    for key, span, least in spans:
        if span is None:
            continue
        ticks = whole_ticks(span, tick)
        if ticks is None or ticks < least:
            nearest = max(round(span / tick), 1) * tick
            zero = "0 or " if least == 0 else ""
            problems.append(document.problem(key, (
                f"{span * 1e6:g} us is not a whole number of ticks of the chip's clock ({tick * 1e6:g} us): "
                f"expected {zero}a multiple of it, such as {nearest * 1e6:g} us")))
    return problems


def _scenario_off_the_clock(scenario: ScenarioSpec, chip: ChipSpec, document: YamlDocument) -> list[Problem]:
    """Sampling intervals that are not whole ticks (the samples would come at another interval than the trace
    says), a run shorter than one tick, and Poisson rates above one spike per tick (spikes of a line in one
    tick merge into one; at GHz the draw would not fit in memory)."""
    tick = chip.clock.tick
    problems = _not_whole_ticks(document, [(("record", "state_interval"), scenario.record.state_interval, 1),
                                           (("record", "conductance_interval"), scenario.record.conductance_interval, 1)],
                                tick)
    if scenario.duration is not None and round(scenario.duration / tick) < 1:
        problems.append(document.problem(("duration",), f"{scenario.duration * 1e6:g} us is less than one tick of "
                                                        f"the chip's clock ({tick * 1e6:g} us)"))
    for index, source in enumerate(scenario.inputs):
        fastest = max(np.atleast_1d(source.rate)) if isinstance(source, PoissonInputSpec) else 0
        if fastest * tick > 1:
            problems.append(document.problem(("inputs", index, "rate"), (
                f"{fastest:g} Hz is more than one spike per tick of the chip's clock ({tick * 1e6:g} us) on a "
                f"line: expected at most {1 / tick:g} Hz")))
    return problems


@dataclass
class Setup:
    """A validated scenario with its chip and the data files it names, loaded once."""

    scenario: ScenarioSpec
    chip: ChipSpec
    scenario_document: YamlDocument
    chip_document: YamlDocument
    spike_files: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    weight_files: dict[str, np.ndarray] = field(default_factory=dict)  # by the file name written
    #: (train, test) of a learning run, as its ``learning.data`` selects them
    datasets: tuple | None = None
    #: the variant this run is (``variants`` of the scenario), None for a plain scenario
    variant: str | None = None


def load_scenario(path: str | Path, seed: int | None = None, chip_key: KeyPath = ("chip",)) -> Setup:
    """Read a scenario and its chip (the file named at ``chip_key``), check them against each
    other, load their data files.

    Cross-file checks run on every input, route and weight entry that is valid on its
    own, even when other parts of the file are not, so one pass reports everything.
    """
    document = YamlDocument(Path(path))
    _not_the_other_kind(document, "scenario")
    scenario, problems = _validate(ScenarioSpec, document, "inputs")
    problems += _repeated_names(document, "variants")
    chip = chip_document = None
    chip_ref = _written(document.data, chip_key)
    if isinstance(chip_ref, str):
        chip_path = document.path.parent / chip_ref
        if not chip_path.is_file():
            problems.append(document.problem(chip_key, f"chip file not found: {chip_path}"))
        else:
            try:
                chip, chip_document = load_chip(chip_path)
            except DescriptionError as error:
                problems.extend(error.problems)
    files = _Files()
    if chip is not None:
        problems.extend(_cross_check(document, chip, files, scenario.duration if scenario else None))
        if scenario is not None:
            problems.extend(_scenario_off_the_clock(scenario, chip, document))
    if problems:
        raise DescriptionError(problems)
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": seed})
    return Setup(scenario, chip, document, chip_document, files.spikes, files.weights, files.datasets)


def load_variants(path: str | Path, seed: int | None = None) -> list[Setup]:
    """The runs a scenario asks for: itself, or one per entry of ``variants`` (each on its chip,
    named ``<scenario>-<variant>``). Every run is validated before any is returned."""
    base = load_scenario(path, seed)
    if not base.scenario.variants:
        return [base]
    setups, problems = [], []
    for index, variant in enumerate(base.scenario.variants):
        try:
            setup = load_scenario(path, seed, chip_key=("variants", index, "chip") if variant.chip else ("chip",))
        except DescriptionError as error:
            problems.extend(error.problems)
            continue
        update = {"name": f"{setup.scenario.name}-{variant.name}"}
        if variant.algorithm is not None:
            update["training"] = setup.scenario.training.model_copy(update={"algorithm": variant.algorithm})
            problems.extend(check_training(setup.scenario_document, setup.chip, update["training"],
                                           ("variants", index, "algorithm"))[0])
        setup.scenario = setup.scenario.model_copy(update=update)
        setup.variant = variant.name
        setups.append(setup)
    if problems:
        raise DescriptionError(problems)
    return setups


@dataclass
class _Files:
    spikes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    datasets: tuple | None = None


def _valid_entries(document: YamlDocument, key: str, spec) -> list[tuple[str | int, Any]]:
    """Entries of a list or mapping under ``key`` that are valid on their own."""
    raw = document.data.get(key)
    items = raw.items() if isinstance(raw, dict) else enumerate(raw) if isinstance(raw, list) else []
    adapter = TypeAdapter(spec)
    valid = []
    for index, item in items:
        try:
            valid.append((index, adapter.validate_python(item)))
        except ValidationError:
            pass  # reported by the whole-file validation
    return valid


def _lines(chip: ChipSpec, endpoint: str, where: KeyPath, document: YamlDocument, problems: list):
    """The core and line count an endpoint names, or None with a problem recorded."""
    core_name, side = split_endpoint(endpoint)
    core = chip.core(core_name)
    if core is None:
        known = ", ".join(c.name for c in chip.cores)
        problems.append(document.problem(where, f"no core named {core_name!r} on chip {chip.name!r} (cores: {known})"))
        return None, 0
    return core, core.size(side)


def _cross_check(doc: YamlDocument, chip: ChipSpec, files: _Files, scenario_duration: float | None) -> list[Problem]:
    problems: list[Problem] = []
    base = doc.path.parent
    core_names = {core.name for core in chip.cores}

    def receivers_exist(core, side, where):
        # lines driven on one side are read into the neurons on the other side
        other = "cols" if side == "rows" else "rows"
        if getattr(core.neurons, other) is None:
            problems.append(doc.problem(where, f"core {core.name!r} has no neurons on its {other} "
                                               f"to receive spikes sent to its {side}"))

    for i, source in _valid_entries(doc, "inputs", InputSpec):
        where = ("inputs", i)
        if source.name in core_names:
            problems.append(doc.problem(where + ("name",), f"{source.name!r} is already the name of a core"))
        core, lines = _lines(chip, source.to, where + ("to",), doc, problems)
        if core is not None:
            receivers_exist(core, split_endpoint(source.to)[1], where + ("to",))
            if source.offset + source.size > lines:
                problems.append(doc.problem(where, f"{source.size} channels from line {source.offset} do not fit "
                                                   f"the {lines} lines of {source.to}"))
        if isinstance(source, SpikeTimesInputSpec) and source.file is not None:
            loaded = _load_spike_file(base / source.file, source.size, doc, where + ("file",), problems)
            if loaded is not None:
                files.spikes[source.name] = loaded

    for i, route in _valid_entries(doc, "routes", RouteSpec):
        where = ("routes", i)
        src_core, src_lines = _lines(chip, route.source, where + ("from",), doc, problems)
        dst_core, dst_lines = _lines(chip, route.to, where + ("to",), doc, problems)
        if src_core is not None and getattr(src_core.neurons, split_endpoint(route.source)[1]) is None:
            problems.append(doc.problem(where + ("from",), f"{route.source} has no neurons to send spikes"))
        if dst_core is not None:
            receivers_exist(dst_core, split_endpoint(route.to)[1], where + ("to",))
        if src_core is not None and dst_core is not None and route.offset + src_lines > dst_lines:
            problems.append(doc.problem(where, f"{src_lines} neurons of {route.source} from line {route.offset} "
                                               f"do not fit the {dst_lines} lines of {route.to}"))

    def weights_file(core, weights, where):
        if weights.file is None:
            return
        shape = (core.array.rows, core.array.cols)
        array = _load_npy(base / weights.file, doc, where + ("file",), problems)
        if array is None:
            return
        if array.shape != shape:
            problems.append(doc.problem(where + ("file",), f"expected an array of shape {shape}, "
                                                           f"the file holds {array.shape}"))
        elif array.dtype.kind not in "biuf":  # bool, integers, floats
            problems.append(doc.problem(where + ("file",), f"expected real numbers (weights), the file holds "
                                                           f"{array.dtype}"))
        elif not np.isfinite(array).all():
            problems.append(doc.problem(where + ("file",), f"expected finite weights, the file holds "
                                                           f"{np.count_nonzero(~np.isfinite(array))} NaN or inf"))
        else:
            files.weights[weights.file] = array.astype(np.float64)

    def block_fits(core, block, where):
        for side in ("rows", "cols"):
            lines = getattr(block, side)
            if lines and max(lines) >= core.size(side):
                problems.append(doc.problem(where + (side,), f"line {max(lines)} is beyond the "
                                                             f"{core.size(side)} {side} of core {core.name!r}"))

    for name, weights in _valid_entries(doc, "weights", WeightsSpec):
        core = chip.core(name)
        if core is None:
            problems.append(doc.problem(("weights", name), f"no core named {name!r} on chip {chip.name!r}"))
        else:
            weights_file(core, weights, ("weights", name))

    duration = _written(doc.data, ("duration",))
    for i, action in _valid_entries(doc, "actions", ActionSpec):
        where = ("actions", i)
        core = chip.core(action.core)
        if core is None:
            problems.append(doc.problem(where + ("core",), f"no core named {action.core!r} on chip {chip.name!r}"))
            continue
        if action.program is not None:
            weights_file(core, action.program, where + ("program",))
        if action.pulse is not None:
            block_fits(core, action.pulse, where + ("pulse",))
        if scenario_duration is not None and action.at > scenario_duration:
            problems.append(doc.problem(where + ("at",), f"{_written(doc.data, where + ('at',))} is after "
                                                         f"the end of the run ({duration})"))

    for check in (check_learning, check_training):
        found, datasets = check(doc, chip)
        problems.extend(found)
        files.datasets = datasets or files.datasets

    record = doc.data.get("record") if isinstance(doc.data.get("record"), dict) else {}
    for key in ("state_cores", "conductance_cores"):
        listed = record.get(key)
        for i, name in enumerate(listed if isinstance(listed, list) else []):
            if name not in core_names:
                problems.append(doc.problem(("record", key, i), f"no core named {name!r}"))
    try:
        cells = CellsSpec.model_validate(record.get("conductance_cells", {}))
    except ValidationError:
        cells = None
    if cells is not None:
        for core in chip.cores:
            block_fits(core, cells, ("record", "conductance_cells"))
    return problems


def _load_npy(path: Path, doc: YamlDocument, where: KeyPath, problems: list):
    if not path.is_file():
        problems.append(doc.problem(where, f"file not found: {path}"))
        return None
    try:
        return np.load(path, allow_pickle=False)
    except Exception as error:  # numpy raises several types for a bad file
        problems.append(doc.problem(where, f"cannot read {path} as a NumPy file: {error}"))
        return None


def _load_spike_file(path: Path, size: int, doc, where, problems):
    archive = _load_npy(path, doc, where, problems)
    if archive is None:
        return None
    if not isinstance(archive, np.lib.npyio.NpzFile) or not {"t", "neuron"} <= set(archive.files):
        problems.append(doc.problem(where, f"{path} must be an .npz holding arrays 't' and 'neuron'"))
        return None
    times, neurons = np.asarray(archive["t"]), np.asarray(archive["neuron"])
    if times.shape != neurons.shape or times.ndim != 1:
        problems.append(doc.problem(where, f"{path}: 't' and 'neuron' must be 1-D arrays of equal length"))
    elif not np.issubdtype(neurons.dtype, np.integer) or (neurons.size and (neurons.min() < 0 or neurons.max() >= size)):
        problems.append(doc.problem(where, f"{path}: 'neuron' must hold integers in [0, {size})"))
    elif times.dtype.kind not in "iuf" or (times.size and (not np.all(np.isfinite(times)) or times.min() < 0)):
        problems.append(doc.problem(where, f"{path}: 't' must hold finite times >= 0 (seconds)"))
    else:
        return times.astype(float), neurons.astype(np.int64)
    return None


def check_file(path: str | Path) -> str:
    """Validate a chip or a scenario file (told apart by its keys); return what it was."""
    document = YamlDocument(Path(path))
    kind = _kind_of(document)
    if kind is not None:
        (load_chip if kind == "chip" else load_scenario)(path)
        return kind
    raise DescriptionError([Problem(str(path), "", "neither a chip (no 'cores' key) nor a scenario (no 'chip' key)")])
