"""Schema of synapse devices. Field defaults are the published parameter sets each preset names.

Conventions (as in aihwkit's device configs): ``_dtod`` is a device-to-device spread
(relative std, drawn once per device), ``_std`` a cycle-to-cycle spread (relative std,
drawn per pulse). Conductances are in siemens; ``g = G / g_max`` is a normalised state.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from .base import Spec, below
from .units import Conductance, Time, Voltage


class IdealDeviceSpec(Spec):
    """Ideal numbers: a pulse moves the weight by exactly ``dw``; bounded by +-``w_max`` if given."""

    model: Literal["ideal"] = "ideal"
    dw: float = Field(0.001, gt=0, description="Weight change per pulse.")
    w_max: float | None = Field(None, gt=0, description="Weights stay in [-w_max, w_max] (default: unbounded).")


class RefreshSpec(Spec):
    """When either device of a pair exceeds ``threshold`` x g_max: RESET both, re-program the difference."""

    threshold: float = Field(0.9, gt=0, le=1, description="Fraction of g_max that triggers a refresh.")
    check_every: int = Field(1, ge=1, description="Check the whole array after every N pulse batches.")


class PCMPairSpec(Spec):
    """6T-2R synapse: weight = w_max (G+ - G-) / (g_max - g_min), both devices SET-only.

    Defaults: ``pcm-nandakumar2020`` — the step fit aihwkit uses for its PCM preset
    (Nandakumar et al., Front. Neurosci. 2020: dw_min 0.01 on a [0, 2] range, i.e. 0.005
    of g_max; gamma 2.5; 20 % device-to-device and 60 % cycle-to-cycle spread of the
    step) and the statistical PCM model of Nandakumar et al. 2019 as used by aihwkit's
    PCMLikeNoiseModel (g_max 25 uS, programming noise, power-law drift with t0 = 20 s,
    1/f read noise with t_read = 250 ns).
    """

    model: Literal["pcm"] = "pcm"
    preset: Literal["pcm-nandakumar2020"] = "pcm-nandakumar2020"
    g_max: Conductance = Field(25e-6, gt=0, description="Saturation conductance (S).")
    g_min: Conductance = Field(0.0, ge=0, description="Conductance after RESET (S).")
    w_max: float = Field(1.0, gt=0, description="Weight of a pair with G+ = g_max and G- = g_min.")
    dw_min: float = Field(0.005, gt=0, lt=1, description="Mean SET step from the empty state, fraction of g_max.")
    gamma: float = Field(2.5, ge=0, description="Step shrinkage: mean step ~ exp(-gamma g) - exp(-gamma).")
    dw_min_dtod: float = Field(0.2, ge=0, description="Device-to-device spread of dw_min.")
    dw_min_std: float = Field(0.6, ge=0, description="Cycle-to-cycle spread of each step.")
    prog_noise: bool = Field(True, description="Programming noise on program-and-verify (Nandakumar 2019).")
    drift: bool = Field(True, description="Power-law drift G(t) = G_prog (t / t0)^-nu.")
    drift_t0: Time = Field(20.0, gt=0, description="Drift reference time t0 (s).")
    read_noise: bool = Field(True, description="1/f read noise, growing with time since programming.")
    t_read: Time = Field(250e-9, gt=0, description="Read duration in the read-noise model (s).")
    refresh: RefreshSpec | None = Field(RefreshSpec(), description="Refresh policy; null disables refresh.")

    _range = below("g_min", "g_max", " S")


class SoftBoundsSpec(Spec):
    """Soft-bounds asymmetric RPU device (Gokmen & Vlasov, Front. Neurosci. 2016 defaults).

    Up step dw_min (1 + up_down) (1 - w / w_max), down step dw_min (1 - up_down) (1 - w / w_min):
    steps shrink toward each bound, and random up/down pulses settle at the symmetry point.
    """

    model: Literal["softbounds"] = "softbounds"
    preset: Literal["gokmen-vlasov2016"] = "gokmen-vlasov2016"
    dw_min: float = Field(0.001, gt=0, description="Mean step at w = 0.")
    w_max: float = Field(0.6, gt=0, description="Upper bound.")
    w_min: float = Field(-0.6, lt=0, description="Lower bound.")
    dw_min_dtod: float = Field(0.3, ge=0)
    dw_min_std: float = Field(0.3, ge=0)
    w_max_dtod: float = Field(0.3, ge=0, description="Device-to-device spread of both bounds.")
    up_down: float = Field(0.0, gt=-1, lt=1, description="Up/down imbalance (0 = symmetric steps at w = 0).")
    up_down_dtod: float = Field(0.01, ge=0)


class CapacitorSpec(Spec):
    """Capacitor cell whose value leaks toward a resting point (Won et al., Adv. Sci. 2023, IGZO 6T1C).

    w(t) = w_rest + (w_prog - w_rest) exp(-(t - t_prog) / retention); +-dw_min per pulse.
    """

    model: Literal["capacitor"] = "capacitor"
    preset: Literal["won2023"] = "won2023"
    dw_min: float = Field(0.002, gt=0, description="Step per pulse (~1,000 steps over [-1, 1]).")
    w_max: float = Field(1.0, gt=0)
    w_min: float = Field(-1.0, lt=0)
    dw_min_dtod: float = Field(0.1, ge=0)
    dw_min_std: float = Field(0.1, ge=0)
    up_down: float = Field(0.0, gt=-1, lt=1)
    w_rest: float = Field(0.0, description="Resting point the stored value decays toward.")
    w_rest_dtod: float = Field(0.0, ge=0, description="Device-to-device spread of the resting point (absolute).")
    retention: Time = Field(775 * 60.0, gt=0, description="Retention time constant (s); Won et al. ~775 min.")


DeviceSpec = Annotated[Union[IdealDeviceSpec, PCMPairSpec, SoftBoundsSpec, CapacitorSpec],
                       Field(discriminator="model")]


class ReadSpec(Spec):
    """Read pulse of the array: inputs of the read energy V_read^2 G t_read."""

    voltage: Voltage = Field(0.2, gt=0, description="Read voltage (V).")
    pulse_width: Time = Field(80e-9, gt=0, description="Read pulse width (s); 80 ns on the 6T-2R chip.")
