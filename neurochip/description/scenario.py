"""Schema of a scenario description (``scenarios/*.yaml``): what to run on which chip.

File paths inside a scenario are relative to the scenario file.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from .base import Name, Spec
from .learning import LearningSpec
from .training import AlgorithmSpec, TrainingSpec
from .units import Time, parse_quantity

#: The largest seed: traces store it as a signed 64-bit integer.
MAX_SEED = 2**63 - 1

#: A line bundle of a core: ``"core.rows"`` or ``"core.cols"``.
Endpoint = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*\.(rows|cols)$")]


def split_endpoint(endpoint: str) -> tuple[str, str]:
    core, side = endpoint.rsplit(".", 1)
    return core, side


def _rates(value):
    if isinstance(value, list):
        return [parse_quantity(item, "frequency") for item in value]
    return parse_quantity(value, "frequency")


class PoissonInputSpec(Spec):
    """Independent Poisson spike trains, one per channel, driving the lines of a core."""

    kind: Literal["poisson"]
    name: Name
    to: Endpoint = Field(description="Lines driven, e.g. 'core0.rows' (a forward read per spike).")
    offset: int = Field(0, ge=0, description="First line driven.")
    size: int = Field(gt=0, description="Number of channels.")
    rate: Annotated[float | list[float], BeforeValidator(_rates)] = Field(
        description="Rate of every channel, or a list with one rate per channel (Hz).")
    start: Time = Field(0.0, ge=0)
    stop: Time | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _consistent(self):
        rates = self.rate if isinstance(self.rate, list) else [self.rate]
        if isinstance(self.rate, list) and len(self.rate) != self.size:
            raise ValueError(f"rate lists {len(self.rate)} values for {self.size} channels")
        if any(rate < 0 for rate in rates):
            raise ValueError("rates must not be negative")
        if self.stop is not None and self.stop <= self.start:
            raise ValueError("stop must come after start")
        return self


class SpikeTimesInputSpec(Spec):
    """Spikes at given times: inline (``times`` with ``neurons``) or from a NumPy file.

    The file is an ``.npz`` holding arrays ``t`` (seconds) and ``neuron`` (channel index).
    Times are rounded to the chip's clock tick.
    """

    kind: Literal["spike-times"]
    name: Name
    to: Endpoint
    offset: int = Field(0, ge=0)
    size: int = Field(gt=0, description="Number of channels.")
    times: list[Time] | None = None
    neurons: list[Annotated[int, Field(ge=0)]] | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_source(self):
        inline = self.times is not None or self.neurons is not None
        if inline == (self.file is not None):
            raise ValueError("give either 'times' with 'neurons', or 'file'")
        if inline:
            if self.times is None or self.neurons is None or len(self.times) != len(self.neurons):
                raise ValueError("'times' and 'neurons' must both be given, with equal lengths")
            if any(n >= self.size for n in self.neurons):
                raise ValueError(f"'neurons' must be below size ({self.size})")
            if any(t < 0 for t in self.times):
                raise ValueError("'times' must not be negative")
        return self


InputSpec = Annotated[Union[PoissonInputSpec, SpikeTimesInputSpec], Field(discriminator="kind")]


class RouteSpec(Spec):
    """Spikes of one core's neurons delivered to lines of another core."""

    source: Endpoint = Field(alias="from", description="Neurons sending, e.g. 'core0.cols'.")
    to: Endpoint = Field(description="Lines receiving, e.g. 'core1.rows'.")
    offset: int = Field(0, ge=0, description="First receiving line.")


class WeightsSpec(Spec):
    """Initial weights of a core's array: one of a constant, a uniform or normal draw, or a file."""

    constant: float | None = None
    uniform: tuple[float, float] | None = Field(None, description="[low, high]")
    normal: tuple[float, float] | None = Field(None, description="[mean, std]")
    file: str | None = Field(None, description=".npy file of shape (rows, cols)")

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in ("constant", "uniform", "normal", "file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of constant, uniform, normal, file")
        if self.uniform is not None and self.uniform[0] > self.uniform[1]:
            raise ValueError("uniform needs low <= high")
        if self.normal is not None and self.normal[1] < 0:
            raise ValueError("normal needs a std >= 0")
        return self


class PulseSpec(Spec):
    """Update pulses on a block of cells: ``sign`` +1 potentiates (SET on G+), -1 depresses (SET on G-)."""

    sign: Literal[1, -1]
    count: int = Field(1, ge=1, le=100_000, description="Pulses applied one after another.")
    rows: list[Annotated[int, Field(ge=0)]] | None = Field(None, description="Rows of the block (default all).")
    cols: list[Annotated[int, Field(ge=0)]] | None = Field(None, description="Columns of the block (default all).")


class ActionSpec(Spec):
    """Something done to a core at a given time: program, pulse or snapshot its array, or switch
    its noise circuit on or off (a gated clock: while it is off an idle core sleeps); and/or
    a new stage label for the energy ledger.

    Between actions nothing needs simulating: drift and retention follow the clock.
    """

    at: Time = Field(ge=0, description="When (s); may be days after the previous action.")
    core: Name
    program: WeightsSpec | None = Field(None, description="Program-and-verify the whole array to these weights.")
    pulse: PulseSpec | None = None
    snapshot: bool = Field(False, description="Record the array's conductances now.")
    noise: bool | None = Field(None, description="Switch the core's noise circuit on (true) or off (false).")
    stage: Name | None = Field(None, description="From now on, count events and time under this stage "
                                                 "(e.g. idle); alone or with the action.")

    @model_validator(mode="after")
    def _one(self):
        actions = sum([self.program is not None, self.pulse is not None, self.snapshot, self.noise is not None])
        if actions > 1 or (actions == 0 and self.stage is None):
            raise ValueError("give exactly one of program, pulse, snapshot: true, noise: true/false "
                             "(or only a stage)")
        return self


class CellsSpec(Spec):
    rows: list[Annotated[int, Field(ge=0)]] | None = Field(None, description="Rows (default all).")
    cols: list[Annotated[int, Field(ge=0)]] | None = Field(None, description="Columns (default all).")


class RecordSpec(Spec):
    spikes: bool = Field(True, description="Record every spike of every core and input.")
    state_interval: Time | None = Field(None, gt=0, description="Sample membrane potentials this often (s).")
    state_cores: list[Name] | None = Field(None, description="Cores whose state is sampled; default all.")
    flush_interval: Time = Field(1.0, gt=0, description="Flush the trace to disk at least this often (wall-clock s).")
    conductance_interval: Time | None = Field(None, gt=0, description="Sample G+ and G- (or w) this often (s).")
    conductance_cells: CellsSpec = Field(CellsSpec(), description="The block of cells sampled (default all).")
    conductance_cores: list[Name] | None = Field(None, description="Cores whose cells are sampled; default all.")


class VariantSpec(Spec):
    """One run of a comparison: the same scenario on another chip, or with another training algorithm."""

    name: Name
    chip: str | None = Field(None, description="Chip description file, relative to this scenario "
                                               "(default: the scenario's).")
    algorithm: AlgorithmSpec | None = Field(None, description="Replaces training.algorithm (training runs).")


class SweepSpec(Spec):
    """Defaults for ``neurochip sweep``: key paths with the values to try, and seeds per point."""

    set: dict[str, list] = Field({}, description="KEY.PATH (chip.* for the chip file) -> values.")
    seeds: int = Field(1, ge=1, le=1000, description="Seeds per point: the scenario's seed and the next ones.")


class ScenarioSpec(Spec):
    name: Name
    description: str = ""
    chip: str = Field(description="Chip description file, relative to this scenario.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Seeds every random stream.")
    duration: Time | None = Field(None, gt=0, description="Simulated time (s); a learning run ends when its "
                                                         "schedule does and takes none.")
    inputs: list[InputSpec] = Field([], description="Input names are unique (checked by the loader).")
    routes: list[RouteSpec] = []
    weights: dict[Name, WeightsSpec] = {}
    actions: list[ActionSpec] = []
    record: RecordSpec = RecordSpec()
    learning: LearningSpec | None = Field(None, description="An on-chip learning run (the spiking RBM).")
    training: TrainingSpec | None = Field(None, description="An MLP trained on the cores by rate-coded backprop.")
    sweep: SweepSpec | None = Field(None, description="What `neurochip sweep` varies when no --set is given.")
    variants: list[VariantSpec] = Field([], description="Run the scenario once per variant (its own chip or "
                                                        "algorithm) and compare them side by side.")

    @model_validator(mode="after")
    def _duration_or_learning(self):
        if sum(part is not None for part in (self.duration, self.learning, self.training)) != 1:
            raise ValueError("give one of 'duration' (a plain run), 'learning' (the spiking RBM) or 'training' "
                             "(an MLP), each run ends with its schedule")
        if any(v.algorithm is not None for v in self.variants) and self.training is None:
            raise ValueError("variants can change the algorithm of a 'training' run only")
        return self
