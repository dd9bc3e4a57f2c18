"""Schema of a chip description (``chips/*.yaml``).

A chip is a set of cores joined by an AER router. A core holds a crossbar of
``rows`` x ``cols`` synapse cells; neurons may sit on its rows, its columns, or both
(the spiking-RBM chip of Ishii et al., IEDM 2019, has both: visible neurons on the
rows, hidden neurons on the columns, one array read in both directions).
A spike of a row neuron reads its row forward into the column neurons; a spike of a
column neuron reads its column backward into the row neurons.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, ValidationInfo, field_validator

from .base import Name, Spec, below
from .devices import DeviceSpec, IdealDeviceSpec, ReadSpec
from .energy import EnergySpec
from .units import Frequency, Time

Side = Literal["rows", "cols"]


class ClockSpec(Spec):
    tick: Time = Field(1e-6, gt=0, description="Core clock period (s); cores act on tick edges.")


def whole_ticks(span: float, tick: float) -> int | None:
    """How many ticks of ``tick`` (s) the time ``span`` (s) lasts, or None when it is not a whole number of
    them (to a part in a million: times are written in decimal units)."""
    ticks = span / tick
    return round(ticks) if abs(ticks - round(ticks)) <= 1e-6 * max(ticks, 1) else None


class LIFSpec(Spec):
    """Leaky integrate-and-fire neurons, in normalised membrane units.

    Between events ``v`` relaxes to ``v_rest`` exactly: v(t) = v_rest + (v0 - v_rest) exp(-t/tau).
    With delta synapses (``tau_syn`` None) each incoming spike adds the weight of its
    synapse to ``v``. With current synapses it adds the weight to a current I that decays
    with ``tau_syn`` and that the membrane follows, tau dv/dt = v_rest + I - v. At
    ``v >= v_th`` the neuron spikes and ``v`` is held at ``v_reset`` for ``refractory``
    seconds; input arriving then is lost with delta synapses and still reaches I with
    current ones. ``v_rest`` at or above ``v_th`` is a constant drive: the neuron then
    fires regularly with no input, at the first tick edge after each threshold crossing.
    """

    model: Literal["lif"] = "lif"
    tau: Time = Field(gt=0, description="Membrane (leak) time constant (s).")
    v_th: float = Field(1.0, description="Firing threshold (normalised).")
    v_reset: float = Field(0.0, description="Potential after a spike (normalised).")
    v_rest: float = Field(0.0, description="Resting potential the membrane leaks to (normalised).")
    refractory: Time = Field(0.0, ge=0, description="Refractory period after a spike (s).")
    tau_syn: Time | None = Field(None, gt=0, description="Time constant of current synapses (s); none: delta "
                                                         "synapses, each spike jumps the membrane.")
    v_init: float | None = Field(None, description="Potential at the start; default v_rest, "
                                                   "or v_reset when v_rest is at or above v_th.")

    def initial_potential(self) -> float:
        if self.v_init is not None:
            return self.v_init
        return self.v_rest if self.v_rest < self.v_th else self.v_reset

    _reset_below_threshold = below("v_reset", "v_th")


class RandomWalkSpec(Spec):
    """An LFSR-driven +-step added to every membrane once per period (the IEDM 2019 chip's circuit).

    Defaults: +-0.06 every 10 us (the chip's public simulator, DESIGN.md section 5).
    """

    kind: Literal["random-walk"]
    step: float = Field(0.06, gt=0, description="Step added or subtracted each period (normalised).")
    period: Time = Field(10e-6, gt=0, description="Clock of the circuit (s).")
    lfsr_bits: Literal[8, 16] = Field(16, description="Width of each neuron's maximal-length LFSR.")


class GaussianNoiseSpec(Spec):
    """White Gaussian kicks of std ``sigma`` added to every membrane once per period (for comparison)."""

    kind: Literal["gaussian"]
    sigma: float = Field(0.06, gt=0)
    period: Time = Field(10e-6, gt=0)


class PinkNoiseSpec(Spec):
    """1/f read noise of the synapses as the source of stochasticity (Kang et al., Semicond. Sci.
    Technol. 2021): every synaptic read is multiplied by (1 + sigma x(t)), x a unit-variance
    process per cell whose spectrum is 1/f between ``f_min`` and ``f_max``; best sigma 1-5 %.
    """

    kind: Literal["pink"]
    sigma: float = Field(0.03, gt=0, lt=1, description="Relative std of a read.")
    f_min: Frequency = Field(1.0, gt=0, description="Lower edge of the 1/f band (Hz).")
    f_max: Frequency = Field(10e3, gt=0, description="Upper edge of the 1/f band (Hz).")

    @field_validator("f_max")
    @classmethod
    def _band(cls, f_max: float, info: ValidationInfo) -> float:
        f_min = info.data.get("f_min")
        if f_min is not None and f_max < 10 * f_min:
            raise ValueError(f"must be at least ten times f_min ({f_min:g} Hz), got {f_max:g} Hz")
        return f_max


NoiseSpec = Annotated[Union[RandomWalkSpec, GaussianNoiseSpec, PinkNoiseSpec], Field(discriminator="kind")]


class ControllerSpec(Spec):
    """STDP-style update controller: pulse the synapses whose partners spiked within ``window``.

    Defaults: a rectangular, causal 4 ms window (the IEDM 2019 chip's simulator).
    """

    rule: Literal["stdp-window"] = "stdp-window"
    window: Time = Field(4e-3, gt=0, description="Pairing window (s).")
    symmetric: bool = Field(False, description="Also pair a row activation with earlier column spikes.")


class ArraySpec(Spec):
    rows: int = Field(gt=0, le=1 << 16, description="Row lines (pre-synaptic inputs of a forward read).")
    cols: int = Field(gt=0, le=1 << 16, description="Column lines (post-synaptic outputs of a forward read).")


class NeuronsSpec(Spec):
    """Neurons on the rows, the columns, both, or neither (an analog matrix core, read through
    its DAC and ADC by rate-coded training)."""

    rows: LIFSpec | None = Field(None, description="Neurons on the row lines (visible layer of an RBM).")
    cols: LIFSpec | None = Field(None, description="Neurons on the column lines (hidden layer of an RBM).")


class CoreSpec(Spec):
    name: Name
    array: ArraySpec
    neurons: NeuronsSpec = Field(NeuronsSpec(), description="LIF neurons (none: an analog matrix core).")
    device: DeviceSpec = Field(IdealDeviceSpec(), description="Synapse cells: ideal, pcm, softbounds, capacitor.")
    read: ReadSpec = Field(ReadSpec(), description="Read pulse (energy inputs).")
    noise: NoiseSpec | None = Field(None, description="Stochastic circuit: random-walk, gaussian or pink (1/f).")
    controller: ControllerSpec | None = Field(None, description="On-chip update controller (none: no learning).")
    position: tuple[int, int] | None = Field(
        None, description="(x, y) on the router mesh; default: row-major on the smallest square.")

    def size(self, side: Side) -> int:
        return self.array.rows if side == "rows" else self.array.cols


class RouterSpec(Spec):
    """AER router: a packet carries all spikes a core emitted in one tick."""

    latency: Time = Field(100e-9, gt=0, description="Spike in-to-out delay through the router (s).")
    hop_latency: Time = Field(0.0, ge=0, description="Extra delay per mesh hop between cores (s).")


class ChipSpec(Spec):
    name: Name
    description: str = ""
    clock: ClockSpec = ClockSpec()
    router: RouterSpec = RouterSpec()
    cores: list[CoreSpec] = Field(min_length=1, description="Core names are unique (checked by the loader).")
    energy: EnergySpec = Field(EnergySpec(), description="Prices of the ledger's events (neurochip energy).")

    def core(self, name: str) -> CoreSpec | None:
        return next((core for core in self.cores if core.name == name), None)
