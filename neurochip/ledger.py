"""The event ledger: every block counts its events by kind, in one place.

Counts are kept per (core, kind, stage). ``core`` is the block that spent the event
(a core or an input source); ``stage`` is the part of the run it happened in (a
scenario may label its stages, e.g. "data" and "model"; plain runs use "run").
Later blocks add kinds of their own (SET pulses, noise steps, conversions); the
energy report prices every kind the ledger holds.
"""

from __future__ import annotations

from collections import defaultdict

#: Event kinds counted by the foundation, with what one event is.
KINDS: dict[str, str] = {
    "row_read": "one row line driven for a forward read (rows -> cols)",
    "col_read": "one column line driven for a backward read (cols -> rows)",
    "synaptic_op": "one synapse cell read: lines driven x fan-out",
    "neuron_update": "one neuron's membrane integrating an input event",
    "spike": "one spike emitted by a neuron or an input channel",
    "packet": "one AER packet leaving a core (all its spikes of one tick)",
    "hop": "one packet crossing one link of the router mesh",
}


class Ledger:
    """Event counts by (core, kind, stage); observers read it, nothing steers by it."""

    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self.stage = "run"

    def add(self, core: str, kind: str, count: int = 1) -> None:
        if count:
            self._counts[(core, kind, self.stage)] += int(count)

    def count(self, core: str | None = None, kind: str | None = None, stage: str | None = None) -> int:
        """Total over every key matching the given parts (None matches all)."""
        return sum(n for (c, k, s), n in self._counts.items()
                   if (core is None or c == core) and (kind is None or k == kind) and (stage is None or s == stage))

    def items(self) -> list[tuple[str, str, str, int]]:
        """(core, kind, stage, count) rows, sorted."""
        return sorted((c, k, s, n) for (c, k, s), n in self._counts.items())
