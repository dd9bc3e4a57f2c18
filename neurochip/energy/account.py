"""Price a run's ledger: energy by event kind, core and stage, and the headline figures.

energy = sum over (core, kind, stage) of count x energy per event
       + V_read^2 x t_read x (conductance seen by the core's reads)   [analog arrays]
       + static power x simulated time, for every core.
The cell-read line uses the conductances each read actually saw (the ledger's
``read_conductance`` measure, S), so a sparse, low-conductance array costs less to read
than a saturated one, as on the chip (DESIGN.md section 7).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..description.chip import ChipSpec
from ..errors import NeurochipError
from .presets import PRESETS, Preset

CELL_READ = "cell_read"
STATIC = "static"
#: stages of training: the spiking RBM's phases, the MLP's passes and updates and its Tiki-Taka transfers
TRAINING_STAGES = ("transition", "data", "model", "train", "transfer")


class EnergyError(NeurochipError):
    """The ledger holds an event kind the price table does not price."""


@dataclass(frozen=True)
class Prices:
    """The price table a run is charged with: a preset with the chip file's overrides."""

    preset: str
    per_event: dict[str, float]
    static_power: float
    read_physics: bool
    sources: dict[str, str]

    @classmethod
    def of(cls, chip: ChipSpec, preset: str | None = None) -> "Prices":
        """The chip's prices; with ``preset``, that preset instead, without the chip's overrides."""
        if preset is not None:
            if preset not in PRESETS:
                raise EnergyError(f"unknown energy preset {preset!r}; expected one of: {', '.join(PRESETS)}")
            return cls._from(PRESETS[preset], {}, None)
        spec = chip.energy
        return cls._from(PRESETS[spec.preset], spec.overrides, spec.static_power)

    @classmethod
    def _from(cls, preset: Preset, overrides: dict[str, float], static_power: float | None) -> "Prices":
        sources = dict(preset.sources)
        sources.update({kind: "chip file override" for kind in overrides})
        if static_power is not None:
            sources["static_power"] = "chip file"
        return cls(preset.name, {**preset.per_event, **overrides},
                   preset.static_power if static_power is None else static_power, preset.read_physics, sources)

    def price(self, kind: str, core: str) -> float:
        try:
            return self.per_event[kind]
        except KeyError:
            raise EnergyError(f"no price for event kind {kind!r} (counted by {core!r}) in preset "
                              f"{self.preset!r}: give it under energy.overrides in the chip file") from None


@dataclass(frozen=True)
class Line:
    """One priced row: ``count`` events of ``kind`` by ``core`` in ``stage``, ``energy`` J in all."""

    core: str
    kind: str
    stage: str
    count: float
    energy: float


@dataclass
class EnergyAccount:
    prices: Prices
    lines: list[Line]
    #: tallies of work (inferences, training samples) by stage
    tallies: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(line.energy for line in self.lines)

    def by(self, part: str) -> dict[str, float]:
        """Energy (J) summed by ``part``: "kind", "core" or "stage"."""
        totals: defaultdict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[getattr(line, part)] += line.energy
        return dict(totals)

    def counts(self) -> dict[str, float]:
        totals: defaultdict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.kind] += line.count
        return dict(totals)

    def headline(self) -> dict[str, float | None]:
        """pJ-free SI figures: total and dynamic energy (J), J per synaptic op (all-in and dynamic),
        J per inference and per training sample (None where the run did none)."""
        synaptic_ops = self.counts().get("synaptic_op", 0)
        total, kinds, stages = self.total, self.by("kind"), self.by("stage")
        dynamic = total - kinds.get(STATIC, 0.0)
        inferences = sum(self.tallies.get("inferences", {}).values())
        samples = sum(self.tallies.get("training_samples", {}).values())
        training = sum(stages.get(stage, 0.0) for stage in TRAINING_STAGES)
        return {
            "total": total,
            "dynamic": dynamic,
            "per_synaptic_op": total / synaptic_ops if synaptic_ops else None,
            "per_synaptic_op_dynamic": dynamic / synaptic_ops if synaptic_ops else None,
            "per_inference": stages.get("inference", 0.0) / inferences if inferences else None,
            "per_training_sample": training / samples if samples else None,
            "noise_circuit": kinds.get("noise_step", 0.0),
        }


def account(chip: ChipSpec, ledger_rows, measure_rows, stage_seconds: dict[str, float],
            preset: str | None = None) -> EnergyAccount:
    """Price ledger rows (core, kind, stage, count), measures (core, name, stage, value) and
    the seconds spent per stage for ``chip``'s cores."""
    prices = Prices.of(chip, preset)
    lines = [Line(core, kind, stage, count, count * prices.price(kind, core))
             for core, kind, stage, count in ledger_rows]
    reads = {core.name: core.read for core in chip.cores}
    tallies: defaultdict[str, dict[str, float]] = defaultdict(dict)
    synaptic_ops = {(core, stage): count for core, kind, stage, count in ledger_rows if kind == "synaptic_op"}
    for core, name, stage, value in measure_rows:
        if name == "read_conductance":
            if prices.read_physics and core in reads:
                read = reads[core]
                lines.append(Line(core, CELL_READ, stage, synaptic_ops.get((core, stage), 0),
                                  read.voltage ** 2 * read.pulse_width * value))
        else:
            tallies[name][stage] = tallies[name].get(stage, 0.0) + value
    for core in chip.cores:
        for stage, seconds in stage_seconds.items():
            lines.append(Line(core.name, STATIC, stage, seconds, prices.static_power * seconds))
    return EnergyAccount(prices, lines, dict(tallies))


def account_trace(trace, preset: str | None = None) -> EnergyAccount:
    """Price a trace with the chip description it was run with (or with another ``preset``)."""
    from ..description import load_chip

    chip, _ = load_chip(f"{trace.path} (chip description)", trace.text("chip_yaml"))
    return account(chip, trace.ledger(), trace.ledger_measures(), trace.stage_seconds(), preset)
