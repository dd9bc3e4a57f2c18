"""The event ledger: every block counts its events by kind, in one place.

Counts are kept per (core, kind, stage). ``core`` is the block that spent the event
(a core or an input source); ``stage`` is the part of the run it happened in (the
spiking RBM labels transition, data, model, inference, ...; a scenario action may
label what follows, e.g. idle; plain runs use "run"). Beside the counts the ledger
keeps *measures*: sums of physical quantities the energy report needs (the conductance
seen by every device read, in S) and tallies of work done (inferences, training
samples), and the simulated time spent in each stage, which prices static power.
The energy report (``neurochip.energy``) prices every kind the ledger holds.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable

#: Event kinds, with what one event is. The energy presets price each of them.
KINDS: dict[str, str] = {
    "row_read": "one row line driven for a forward read (rows -> cols)",
    "col_read": "one column line driven for a backward read (cols -> rows)",
    "synaptic_op": "one synapse cell read: lines driven x fan-out",
    "neuron_update": "one neuron's membrane integrating an input event or a tick",
    "spike": "one spike emitted by a neuron or an input channel",
    "packet": "one AER packet leaving a core (all its spikes of one tick)",
    "hop": "one packet crossing one link of the router mesh",
    "noise_step": "one random-walk (or Gaussian) step added to one membrane",
    "set_pulse": "one partial SET pulse on one PCM device",
    "reset_pulse": "one RESET pulse on one PCM device",
    "refresh": "one 6T-2R pair refreshed (its RESETs and re-programming counted apart)",
    "program": "one device programmed to a target by program-and-verify",
    "up_pulse": "one potentiating pulse on a single-valued device (ideal, soft-bounds, capacitor)",
    "down_pulse": "one depressing pulse on a single-valued device",
    "dac_drive": "one input line driven at a DAC level (rate-coded backprop)",
    "adc_conversion": "one output line converted by an ADC (rate-coded backprop)",
    "transfer_read": "one cell read for a Tiki-Taka transfer",
}

#: Measures: physical sums and tallies of work, with their unit.
MEASURES: dict[str, str] = {
    "read_conductance": "S: sum of the conductances of every device read (a 6T-2R cell: G+ and G-)",
    "inferences": "test images classified",
    "training_samples": "training samples presented",
}


class Ledger:
    """Event counts by (core, kind, stage); observers read it, nothing steers by it.

    ``clock`` returns simulated seconds; with it, the ledger times every stage.
    """

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._counts: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self._measures: defaultdict[tuple[str, str, str], float] = defaultdict(float)
        self._seconds: defaultdict[str, float] = defaultdict(float)
        self._clock = clock
        self._stage = "run"
        self._since = clock() if clock else 0.0
        self._deferred: list[Callable[[], None]] = []

    @property
    def stage(self) -> str:
        return self._stage

    @stage.setter
    def stage(self, name: str) -> None:
        if name != self._stage:
            self._close_interval()
            self._stage = name

    def _close_interval(self) -> None:
        if self._clock is not None:
            now = self._clock()
            self._seconds[self._stage] += now - self._since
            self._since = now

    def add(self, core: str, kind: str, count: int = 1, stage: str | None = None) -> None:
        """Count ``count`` events in ``stage`` (default: the current one)."""
        if count:
            self._counts[(core, kind, stage or self._stage)] += int(count)

    def defer(self, settle: Callable[[], None]) -> None:
        """Register a block that tallies its events itself, on a path too hot for a call per event:
        ``settle`` adds its tally (with each event's stage) and clears it. The ledger settles every
        such block before anyone reads it, so readers always see every event."""
        self._deferred.append(settle)

    def _settle(self) -> None:
        for settle in self._deferred:
            settle()

    def measure(self, core: str, name: str, value: float) -> None:
        """Add ``value`` to the measure ``name`` (see MEASURES) of ``core`` in the current stage."""
        if value:
            self._measures[(core, name, self._stage)] += float(value)

    def count(self, core: str | None = None, kind: str | None = None, stage: str | None = None) -> int:
        """Total over every key matching the given parts (None matches all)."""
        self._settle()
        return sum(n for (c, k, s), n in self._counts.items()
                   if (core is None or c == core) and (kind is None or k == kind) and (stage is None or s == stage))

    def items(self) -> list[tuple[str, str, str, int]]:
        """(core, kind, stage, count) rows, sorted."""
        self._settle()
        return sorted((c, k, s, n) for (c, k, s), n in self._counts.items())

    def measures(self) -> list[tuple[str, str, str, float]]:
        """(core, measure, stage, value) rows, sorted."""
        return sorted((c, m, s, v) for (c, m, s), v in self._measures.items())

    def stage_seconds(self) -> dict[str, float]:
        """Simulated seconds spent in each stage so far (the current one up to now)."""
        self._close_interval()
        return {stage: seconds for stage, seconds in sorted(self._seconds.items()) if seconds > 0}
