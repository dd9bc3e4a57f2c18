"""Schema of a scenario's ``learning:`` block: an on-chip learning run and what to do with it.

The spiking RBM (Neftci et al. 2014, as on the IEDM 2019 chip) is the first mode. Times
are seconds and rates Hz after unit parsing; file paths are relative to the scenario.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator

from .base import Name, Spec
from .units import Frequency, Time


class DataSpec(Spec):
    """Which data set, and how much of it.

    ``digits``: scikit-learn's bundled 8 x 8 digits with the fixed stratified split
    (1,437 train / 360 test). ``bars-and-stripes``: every n x n bar and stripe image
    (``size`` n), used for both training and testing. ``mnist``: the user's IDX files in
    ``path`` (train-images-idx3-ubyte[.gz] and the three others).
    """

    set: Literal["digits", "bars-and-stripes", "mnist"]
    train: int | None = Field(None, gt=0, description="Training images used (default all).")
    balanced: bool = Field(False, description="Take the training images class by class in turn "
                                              "(the chip's 100-image experiment) instead of a fixed shuffle.")
    test: int | None = Field(None, ge=0, description="Test images used (default all; 0: no test).")
    size: int = Field(4, ge=2, le=16, description="Side of the bars-and-stripes images.")
    path: str | None = Field(None, description="Folder of the MNIST IDX files (mnist only).")

    @model_validator(mode="after")
    def _path_for_mnist(self):
        if (self.set == "mnist") != (self.path is not None):
            raise ValueError("'path' is given for, and only for, the mnist set")
        return self


class PhasesSpec(Spec):
    """Per training sample: transition, data (visible clamped), transition, model (free)."""

    transition: Time = Field(10e-3, ge=0)
    data: Time = Field(40e-3, gt=0)
    model: Time = Field(40e-3, gt=0)


#: P(on) of a clamped 'on' line and of a bias line where a scenario gives no rate: the chip's
#: simulator's 200 Hz and 70.8 Hz at its 4 ms refractory period (DESIGN.md section 5)
DEFAULT_P_ON, DEFAULT_P_BIAS = 200.0 * 4e-3, 70.8 * 4e-3


class BiasSpec(Spec):
    """Always-on bias neurons: rows on the visible side, columns on the hidden side."""

    visible: int = Field(8, ge=0, description="Bias rows (their cells are the hidden units' biases).")
    hidden: int = Field(8, ge=0, description="Bias columns (their cells are the visible units' biases).")
    rate: Frequency | None = Field(None, gt=0, description="Rate of every bias line (Hz). Default: P(on) 0.283 "
                                   "at the core's refractory period (70.8 Hz at 4 ms, the chip's simulator).")


class RandomOcclusion(Spec):
    """A fraction of each image's pixels hidden, drawn afresh for every image. The masks belong to the
    test set, like the split: they come from their own ``seed``, not the run's, so that every run of
    a scenario completes the same pixels."""

    random: float = Field(gt=0, lt=1, description="Fraction of the pixels hidden (rounded to whole pixels, "
                          "at least one hidden and one known).")
    seed: int = Field(0, ge=0, description="Seed of the masks.")


#: the half of an h x w image each ``occlude`` name hides, as (rows, columns) slices
HALVES = {"bottom": lambda h, w: (slice(h // 2, None), slice(None)),
          "top": lambda h, w: (slice(None, h // 2), slice(None)),
          "left": lambda h, w: (slice(None), slice(None, w // 2)),
          "right": lambda h, w: (slice(None), slice(w // 2, None))}


def _half(value: str) -> str:
    if value not in HALVES:
        raise ValueError(f"expected {', '.join(HALVES)} or {{random: fraction}}, got {value!r}")
    return value


# A mapping is the random kind, anything else a half: one error message, not one per kind.
# The tags are bracketed so that error locations never take them for keys of the file.
Occlusion = Annotated[Union[Annotated[str, AfterValidator(_half), Tag("[half]")],
                            Annotated[RandomOcclusion, Tag("[random]")]],
                      Discriminator(lambda value: "[random]" if isinstance(value, (dict, RandomOcclusion)) else "[half]")]


class ReconstructSpec(Spec):
    """Clamp part of each test image, let the rest run free, compare with the original."""

    occlude: Occlusion = Field("bottom", description="The half hidden, or {random: fraction}: that fraction of "
                               "each image's pixels.")
    count: int | None = Field(None, ge=1, description="Test images reconstructed (default all tested).")
    duration: Time = Field(100e-3, gt=0, description="Free-running time per image (s).")
    restarts: int = Field(1, ge=1, le=1000, description="Chains the duration is split into, each read after "
                          "a transition (phases.transition) with the visible units silent; averaged.")


class GenerateSpec(Spec):
    """Clamp one class's label group and let the visible layer run free: a picture per class."""

    duration: Time = Field(200e-3, gt=0, description="Free-running time per class (s).")


class LearningSpec(Spec):
    mode: Literal["spiking-rbm"]
    core: Name = Field(description="The core that holds the RBM.")
    data: DataSpec
    epochs: int = Field(1, ge=0, le=1000)
    hidden: int = Field(100, gt=0, description="Hidden units (columns), besides the bias columns.")
    labels_per_class: int = Field(4, ge=1, description="Label neurons per class on the visible side.")
    bias: BiasSpec = BiasSpec()
    rate_on: Frequency | None = Field(None, gt=0, description="Rate of a clamped 'on' pixel or label line (Hz). "
                                      "Default: P(on) 0.8 at the core's refractory period (200 Hz at 4 ms, the "
                                      "chip's simulator; 800 Hz at 1 ms).")
    input_train: Literal["dead-time", "poisson"] = Field(
        "dead-time", description="Trains on clamped and bias lines: Poisson with the neurons' refractory period "
                                 "as dead time (a line is 'on' as a neuron is), or plain Poisson (the chip's simulator). "
                                 "A Poisson line drives its partners in proportion to its rate but is 'on' (spiked "
                                 "within the window the controller pairs over) only 1 - exp(-rate x refractory) of the "
                                 "time: event-driven CD then sees less data-phase co-activity than the drive makes "
                                 "(README, RBM).")
    label_pulses: float = Field(1.0, gt=0, le=1, description="Probability that the update controller passes a "
                                "pulse to a label row: the label units' learning rate relative to the pixels'.")
    pulse_rate: float = Field(1.0, gt=0, le=1, description="Probability that the update controller passes a "
                              "pulse to any row: the learning rate, set by a comparator's gate, as PCM cannot take "
                              "a smaller SET step.")
    pulse_decay: float = Field(1.0, gt=0, le=1, description="Learning-rate decay per pass: in pass k (from 0) the "
                               "controller passes each pulse with probability pulse_rate x pulse_decay^k (times "
                               "label_pulses on label rows).")
    rest: float = Field(0.0, description="Resting potential of both layers (membrane units): sets where "
                                         "zero input sits on the sigmoid (about P(on) = 0.5 at the noise's offset).")
    phases: PhasesSpec = PhasesSpec()
    readout: Time = Field(100e-3, gt=0, description="Classification: label neurons run this long per image (s).")
    readout_restarts: int = Field(1, ge=1, le=1000, description="Chains the read-out is split into, each after a "
                                  "transition (phases.transition) with the visible units silent; their label "
                                  "P(on)s averaged, so the class with most label spikes over all chains wins "
                                  "(as ReconstructSpec.restarts).")
    evaluate_every: int | None = Field(None, gt=0, description="Training samples between two points of the "
                                                                "learning curve (default: once per epoch).")
    evaluate_on: int = Field(100, ge=1, description="Test images used for the intermediate curve points.")
    evaluate_readout: Time | None = Field(None, gt=0, description="Label neurons' run per image at the "
                                          "intermediate curve points (s; default: readout). A shorter one keeps "
                                          "the curve cheap when the final test reads longer.")
    train_accuracy: bool = Field(False, description="Also classify every training image at the end "
                                                    "(the chip's figure: training accuracy on 100 images).")
    reconstruct: ReconstructSpec | None = None
    generate: GenerateSpec | None = None

    def line_rates(self, refractory: float) -> tuple[float, float]:
        """(clamped 'on' line, bias line) rates in Hz: those written, else P(on) ``DEFAULT_P_ON`` and
        ``DEFAULT_P_BIAS`` at ``refractory`` (s), the refractory period of the core's row neurons."""
        rate_on = self.rate_on if self.rate_on is not None else DEFAULT_P_ON / refractory
        rate_bias = self.bias.rate if self.bias.rate is not None else DEFAULT_P_BIAS / refractory
        return rate_on, rate_bias
