"""The learning and training blocks of a scenario against its chip and their data.

Part of loading a scenario (``loader``): a spiking RBM's core, neurons, controller, line rates
and spans against the chip's clock, and its network against the crossbar; a rate-coded MLP's
cores, devices and layers; both blocks' data sets, loaded here once and handed back to the run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import TypeAdapter, ValidationError

from ..data import DataError, bars_and_stripes, digits, mnist_folder, select
from ..errors import Problem
from .chip import ChipSpec, CoreSpec
from .learning import DataSpec, LearningSpec
from .training import ARRAYS, NEEDS_DEVICE, TrainingSpec
from .yamlfile import KeyPath, YamlDocument


def check_learning(doc: YamlDocument, chip: ChipSpec) -> tuple[list[Problem], tuple | None]:
    """The learning block against its chip: the core, its neurons and controller, the network's size, the
    data. Returns the problems and the (train, test) data sets, once they loaded."""
    try:
        learning = TypeAdapter(LearningSpec).validate_python(doc.data.get("learning"))
    except ValidationError:
        return [], None  # absent (None is not a LearningSpec) or reported by the whole-file validation
    problems: list[Problem] = []
    where = ("learning",)
    core = chip.core(learning.core)
    if core is None:
        known = ", ".join(c.name for c in chip.cores)
        return [doc.problem(where + ("core",), f"no core named {learning.core!r} on chip {chip.name!r} (cores: {known})")], None
    if core.neurons.rows is None or core.neurons.cols is None:
        problems.append(doc.problem(where + ("core",), f"core {core.name!r} needs neurons on its rows (visible) "
                                                       f"and its columns (hidden) for an RBM"))
    elif not (core.neurons.rows.refractory > 0 and core.neurons.cols.refractory > 0):
        problems.append(doc.problem(where + ("core",), f"core {core.name!r} needs a refractory period > 0 on its "
                                                       f"rows and columns for an RBM: a unit counts as 'on' for "
                                                       f"that long after each spike"))
    else:
        problems += _dead_time_rates(doc, learning, core)
    problems += _shorter_than_a_tick(doc, learning, chip.clock.tick)
    if core.controller is None:
        problems.append(doc.problem(where + ("core",), f"core {core.name!r} has no update controller "
                                                       f"('controller:' in the chip file) to learn with"))
    try:
        train, test = _datasets(learning.data, doc.path.parent)
    except DataError as error:
        return problems + [doc.problem(where + ("data",), str(error))], None
    problems += _reconstruct_count(doc, learning, len(test))
    pixels = int(np.prod(train.images.shape[1:]))
    visible = pixels + train.classes * learning.labels_per_class + learning.bias.visible
    hidden = learning.hidden + learning.bias.hidden
    for side, need, have, what in (("rows", visible, core.array.rows,
                                    f"{pixels} pixels + {train.classes} x {learning.labels_per_class} labels "
                                    f"+ {learning.bias.visible} bias"),
                                   ("cols", hidden, core.array.cols,
                                    f"{learning.hidden} hidden + {learning.bias.hidden} bias")):
        if need > have:
            problems.append(doc.problem(where, f"the RBM needs {need} {side} ({what}); core {core.name!r} "
                                               f"has {have}"))
    return problems, (train, test)


NEURONS = {"rows": "row (visible) neurons", "cols": "column (hidden) neurons"}


def _dead_time_rates(doc: YamlDocument, learning: LearningSpec, core: CoreSpec) -> list[Problem]:
    """Dead-time trains need rate x refractory period < 1: a line is silent for the refractory period of
    the neurons it drives after each spike (clamped lines and bias rows: the rows'; bias columns: the columns')."""
    if learning.input_train != "dead-time":
        return []
    rate_on, rate_bias = learning.line_rates(core.neurons.rows.refractory)
    problems = []
    for key, rate, written, sides in ((("rate_on",), rate_on, learning.rate_on, ("rows",)),
                                      (("bias", "rate"), rate_bias, learning.bias.rate, ("rows", "cols"))):
        refractory, side = max((getattr(core.neurons, side).refractory, side) for side in sides)
        if rate * refractory >= 1:
            default = "" if written is not None else " (the default)"
            problems.append(doc.problem(("learning",) + key, (
                f"{rate:g} Hz{default} with input_train: dead-time on core {core.name!r}, whose {NEURONS[side]} "
                f"have a {refractory * 1e3:g} ms refractory period: expected below {1 / refractory:g} Hz (a "
                f"line is silent for that period after each spike), or input_train: poisson")))
    return problems


def _shorter_than_a_tick(doc: YamlDocument, learning: LearningSpec, tick: float) -> list[Problem]:
    """Phases and reads (per chain) that round to no tick of the chip's clock: they would silently do nothing."""
    spans = [(("phases", "data"), learning.phases.data, 1), (("phases", "model"), learning.phases.model, 1),
             (("readout",), learning.readout, learning.readout_restarts)]
    if learning.evaluate_readout is not None:
        spans.append((("evaluate_readout",), learning.evaluate_readout, learning.readout_restarts))
    if learning.reconstruct is not None:
        spans.append((("reconstruct", "duration"), learning.reconstruct.duration, learning.reconstruct.restarts))
    if learning.generate is not None:
        spans.append((("generate", "duration"), learning.generate.duration, 1))
    problems = []
    for key, seconds, chains in spans:
        if round(seconds / chains / tick) < 1:
            split = f" split into {chains} chains" if chains > 1 else ""
            per_chain = " per chain" if chains > 1 else ""
            problems.append(doc.problem(("learning",) + key, (
                f"{seconds * 1e3:g} ms{split} is less than one tick of the chip's clock ({tick * 1e6:g} us)"
                f"{per_chain}: expected at least {chains * tick * 1e3:g} ms")))
    return problems


def _reconstruct_count(doc: YamlDocument, learning: LearningSpec, tested: int) -> list[Problem]:
    """Reconstruction reads test images: asking for more than the run tests would silently read fewer."""
    if learning.reconstruct is None:
        return []
    if tested == 0:
        return [doc.problem(("learning", "reconstruct"), "no test images to reconstruct: learning.data.test is 0")]
    if learning.reconstruct.count is not None and learning.reconstruct.count > tested:
        return [doc.problem(("learning", "reconstruct", "count"), (
            f"{learning.reconstruct.count} images asked for, the run tests {tested} (learning.data.test): "
            f"expected at most {tested}"))]
    return []


def _datasets(spec: DataSpec, folder: Path):
    """(train, test) as a ``data:`` block selects them; raises DataError."""
    if spec.set == "digits":
        train, test = digits()
    elif spec.set == "bars-and-stripes":
        train = test = bars_and_stripes(spec.size)
    else:
        train, test = mnist_folder(folder / spec.path)
    return select(train, test, spec.train, spec.test, spec.balanced)


def check_training(doc: YamlDocument, chip: ChipSpec, training: TrainingSpec | None = None,
                    where: KeyPath = ("training",)) -> list[Problem]:
    """The training block against its chip: the cores (one size, enough of them, the devices the
    algorithm needs) and the data (its pixels and classes are the first and last layers). Returns the
    problems and the (train, test) data sets, once they loaded."""
    if training is None:
        try:
            training = TypeAdapter(TrainingSpec).validate_python(doc.data.get("training"))
        except ValidationError:
            return [], None  # absent, or reported by the whole-file validation
    names = training.cores or [core.name for core in chip.cores]
    missing = [name for name in names if chip.core(name) is None]
    if missing:
        known = ", ".join(c.name for c in chip.cores)
        return [doc.problem(("training", "cores"), f"no core named {', '.join(map(repr, missing))} on chip "
                                                   f"{chip.name!r} (cores: {known})")], None
    cores = [chip.core(name) for name in names]
    problems: list[Problem] = []
    sizes = sorted({(core.array.rows, core.array.cols) for core in cores})
    if len(sizes) > 1:
        problems.append(doc.problem(("training", "cores"), f"the cores used must have one size; found "
                                                           f"{', '.join(f'{r} x {c}' for r, c in sizes)}"))
    rows, cols = sizes[0]
    need = training.cores_needed(rows, cols)
    if need > len(cores):
        problems.append(doc.problem(where, f"layers {training.layers} with {training.algorithm.kind} need {need} "
                                           f"cores of {rows} x {cols} ({ARRAYS[training.algorithm.kind]} array(s) "
                                           f"per layer, split into tiles); {len(cores)} given"))
    fewest = min(training.layers[:-1])
    if ARRAYS[training.algorithm.kind] == 2 and training.algorithm.columns_per_transfer > fewest:
        problems.append(doc.problem(where + ("algorithm", "columns_per_transfer"), (
            f"{training.algorithm.columns_per_transfer} input lines of A read per transfer, but a layer of "
            f"{training.layers} has {fewest} inputs: a transfer would read some lines twice; expected at most {fewest}")))
    device = NEEDS_DEVICE.get(training.algorithm.kind)
    wrong = [core.name for core in cores[:need] if device and core.device.model != device]
    if wrong:
        problems.append(doc.problem(where + ("algorithm", "kind"),
                                    f"{training.algorithm.kind} needs {device} devices; core(s) {', '.join(wrong)} "
                                    f"have others"))
    try:
        train, test = _datasets(training.data, doc.path.parent)
    except DataError as error:
        return problems + [doc.problem(("training", "data"), str(error))], None
    if len(test) == 0:  # the curve and the final figure are test accuracies
        problems.append(doc.problem(where + ("data", "test"), "rate-coded training scores itself on test images: "
                                                              "expected at least 1, got 0"))
    pixels = int(np.prod(train.images.shape[1:]))
    if training.layers[0] != pixels or training.layers[-1] != train.classes:
        problems.append(doc.problem(("training", "layers"), f"the first layer must have {pixels} units (the "
                                                            f"pixels) and the last {train.classes} (the classes)"))
    return problems, (train, test)
