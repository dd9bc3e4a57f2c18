"""Energy per event for every kind the ledger counts, with where each number comes from.

Three presets:

* ``pcm-90nm``: the IEDM 2019 6T-2R PCM chip (Ishii et al., 90 nm CMOS). Device pulses
  are published device figures (Kuzum et al., Nano Lett. 2012: about 0.7 pJ per partial
  SET step, about 50 pJ per RESET). The cell read itself is not priced per event: it is
  physics, V_read^2 x G x t_read with the conductances each read actually saw (the
  ledger's ``read_conductance``; DESIGN.md section 7). The circuit figures (line drivers,
  neuron comparator, LFSR step, AER encoder, router hop, static power) are not published
  for this chip; they are C V^2 estimates at 1.2 V, each with its reasoning below, meant
  to be overridden (``energy.overrides`` in the chip file) when better numbers exist.
* ``pcm-28nm``: the same chip projected to 28 nm, as the IEDM 2019 paper projects it
  (5.39 pJ per synaptic operation). CMOS circuit energies scale by C V^2: capacitance
  with the feature size (28 / 90) and supply 1.2 V -> 0.9 V, a factor 0.175; the PCM
  device energies and the read physics do not scale.
* ``loihi``: a digital reference, Intel's Loihi (Davies et al., IEEE Micro 2018, Table 2,
  14 nm, pre-silicon): 23.6 pJ per synaptic spike op (their minimum), 52 pJ per inactive
  neuron update (a leak step: most of our updates are ticks), 1.7 pJ per spike within a
  tile, 3.5 pJ per tile hop (mean of 3.0 E-W and 4.0 N-S), 120 pJ per synaptic update
  (pairwise STDP) for every weight change. Kinds Loihi folds into those are priced 0.

All energies in joules, static power in watts per core.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PJ = 1e-12
#: C V^2 scaling of CMOS circuit energies from 90 nm at 1.2 V to 28 nm at 0.9 V
SCALE_28NM = (28 / 90) * (0.9 / 1.2) ** 2


@dataclass(frozen=True)
class Preset:
    """Energy per event (J) by ledger kind, static power per core (W), and each figure's source."""

    name: str
    description: str
    per_event: dict[str, float]
    static_power: float
    sources: dict[str, str] = field(default_factory=dict)
    #: price each cell read by V_read^2 G t_read (analog arrays); a digital chip has no such read
    read_physics: bool = True


_PCM_90NM_CIRCUITS = {
    # kind: (pJ, reasoning)
    "row_read": (0.35, "estimate: one array line of ~0.25 pF (832 cells) charged to 1.2 V"),
    "col_read": (0.35, "estimate: as a row line"),
    "synaptic_op": (0.004, "estimate: the 6T-2R access transistors of one cell (~3 fF at 1.2 V); "
                           "the cell's own read is V^2 G t"),
    "neuron_update": (0.2, "estimate: integrate and compare on a ~100 fF membrane node"),
    "spike": (1.0, "estimate: AER encoding of one spike (~0.7 pF of digital logic at 1.2 V)"),
    "packet": (2.0, "estimate: one AER packet header and handshake"),
    "hop": (10.0, "estimate: Loihi's 3.5 pJ per hop (14 nm) scaled by C V^2 to 90 nm"),
    "noise_step": (0.3, "estimate: a 16-bit LFSR shift (~8 toggles of ~20 fF) plus a +-step charge injection"),
    "refresh": (1.0, "estimate: reading both devices of the pair and the compare logic"),
    "dac_drive": (1.0, "estimate: one line driven at a multi-level DAC voltage"),
    "adc_conversion": (1.5, "DESIGN.md section 7: 8-bit ADC about 1-2 pJ per conversion"),
    "transfer_read": (0.35, "estimate: as a line read (the conversion is counted as adc_conversion)"),
}
_PCM_DEVICES = {
    "set_pulse": (0.7, "Kuzum et al., Nano Lett. 2012: about 0.7 pJ per partial SET"),
    "reset_pulse": (50.0, "Kuzum et al., Nano Lett. 2012: about 50 pJ per RESET"),
    "program": (8.0, "estimate: program-and-verify, about 10 x (0.7 pJ SET + a verify read)"),
    "up_pulse": (0.7, "as a partial SET (single-valued device models on the PCM chip)"),
    "down_pulse": (0.7, "as a partial SET"),
}
_STATIC_90NM = (10e-6, "estimate: leakage and bias currents of one core (~1 mm^2 at 90 nm); override")

_LOIHI = {
    "synaptic_op": (23.6, "Davies 2018 Table 2: energy per synaptic spike op (min)"),
    "neuron_update": (52.0, "Davies 2018 Table 2: energy per neuron update (inactive; active 81 pJ)"),
    "spike": (1.7, "Davies 2018 Table 2: within-tile spike energy"),
    "hop": (3.5, "Davies 2018 Table 2: energy per tile hop (3.0 E-W, 4.0 N-S)"),
    "up_pulse": (120.0, "Davies 2018 Table 2: energy per synaptic update (pairwise STDP)"),
    "down_pulse": (120.0, "Davies 2018 Table 2: energy per synaptic update (pairwise STDP)"),
    "set_pulse": (120.0, "Davies 2018 Table 2: a weight change is a synaptic update"),
    "program": (120.0, "Davies 2018 Table 2: a weight write is a synaptic update"),
}
_LOIHI_FOLDED = ("row_read", "col_read", "packet", "noise_step", "reset_pulse", "refresh", "dac_drive",
                 "adc_conversion", "transfer_read")


def _table(entries: dict[str, tuple[float, str]], scale: float = 1.0, note: str = "") -> tuple[dict, dict]:
    energies = {kind: pj * scale * PJ for kind, (pj, _) in entries.items()}
    sources = {kind: source + note for kind, (_, source) in entries.items()}
    return energies, sources


def _pcm(scale: float, note: str) -> tuple[dict, dict]:
    circuits, circuit_sources = _table(_PCM_90NM_CIRCUITS, scale, note)
    devices, device_sources = _table(_PCM_DEVICES)
    return {**circuits, **devices}, {**circuit_sources, **device_sources}


def _presets() -> dict[str, Preset]:
    e90, s90 = _pcm(1.0, "")
    e28, s28 = _pcm(SCALE_28NM, "; x 0.175 (C V^2, 90 -> 28 nm)")
    loihi, loihi_sources = _table(_LOIHI)
    loihi.update({kind: 0.0 for kind in _LOIHI_FOLDED})
    loihi_sources.update({kind: "folded into the synaptic op, neuron update or spike (digital chip)"
                          for kind in _LOIHI_FOLDED})
    static, static_source = _STATIC_90NM
    return {
        "pcm-90nm": Preset("pcm-90nm", "IEDM 2019 6T-2R PCM chip, 90 nm", e90, static,
                           {**s90, "static_power": static_source}),
        "pcm-28nm": Preset("pcm-28nm", "the 6T-2R chip projected to 28 nm", e28, static * SCALE_28NM,
                           {**s28, "static_power": static_source + "; x 0.175"}),
        "loihi": Preset("loihi", "Intel Loihi, 14 nm (digital reference)", loihi, 0.0,
                        {**loihi_sources, "static_power": "not published per core: 0"}, read_physics=False),
    }


PRESETS: dict[str, Preset] = _presets()

#: Published figures shown beside the measured ones (J per synaptic operation)
ANCHORS: dict[str, tuple[float, str]] = {
    "6T-2R PCM chip projected to 28 nm": (5.39 * PJ, "Ishii et al., IEDM 2019"),
    "Loihi, per synaptic op": (23.6 * PJ, "Davies et al., IEEE Micro 2018"),
    "TrueNorth, per synaptic event (all-in)": (26 * PJ, "Merolla et al., Science 2014"),
}
