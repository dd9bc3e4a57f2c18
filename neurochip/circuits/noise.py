"""Stochastic circuits that make neurons sample: random walk, Gaussian kicks, 1/f read noise.

* ``RandomWalk``: each neuron owns a maximal-length Galois LFSR; every period it shifts
  once and its output bit adds +step or -step to the membrane (the circuit of the
  IEDM 2019 6T-2R chip). After n periods the walk has variance n step^2.
* ``GaussianKicks``: N(0, sigma^2) added every period, for comparison.
* ``PinkNoise``: a unit-variance process per synapse cell whose power spectrum is 1/f
  between f_min and f_max, built as a sum of Ornstein-Uhlenbeck (Lorentzian) processes
  with corner frequencies spaced two per decade and equal variances (a sum of
  Lorentzians with log-uniform corners has a 1/f spectrum between the extreme corners).
  Each cell's processes are advanced exactly, and only when the cell is read. Reads are
  multiplied by (1 + sigma x): PCM read noise as the source of stochasticity (Kang et al.,
  Semicond. Sci. Technol. 2021).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..description.chip import GaussianNoiseSpec, PinkNoiseSpec, RandomWalkSpec

#: Galois toggle masks of maximal-length LFSRs (polynomials x^8+x^6+x^5+x^4+1 and x^16+x^14+x^13+x^11+1).
LFSR_MASKS = {8: 0xB8, 16: 0xB400}


@cache
def lfsr_cycle(bits: int) -> tuple[np.ndarray, np.ndarray]:
    """The output bits of one full cycle of the ``bits``-bit LFSR from state 1, and each state's position."""
    mask, state = LFSR_MASKS[bits], 1
    period = (1 << bits) - 1
    outputs = np.empty(period, np.uint8)
    position = np.zeros(1 << bits, np.int64)
    for k in range(period):
        position[state] = k
        outputs[k] = state & 1
        state = (state >> 1) ^ (mask if state & 1 else 0)
    return outputs, position


class LFSRBank:
    """``size`` independent Galois LFSRs of ``bits`` bits, stepped together.

    Registers that share a maximal-length polynomial run through the same cycle of states,
    each from its own seed: so every register's output is the one cycle's bit sequence
    read from the seed's position. That is how it is computed (a gather per step instead
    of a shift, a mask and an XOR per register); ``state`` gives the registers' contents.
    """

    def __init__(self, size: int, bits: int, rng: np.random.Generator, levels=(0, 1)):
        """``levels``: what a 0 and a 1 output bit step out as (a random walk's -step and +step)."""
        self.bits = bits
        self.outputs, self.positions = lfsr_cycle(bits)
        period = self.outputs.size
        seeds = rng.integers(1, 1 << bits, size, dtype=np.int64)  # any non-zero seed
        self.phase = self.positions[seeds]
        self.steps = 0
        # read across the wrap without a modulo, each bit already turned into its level
        self._doubled = np.asarray(levels)[np.concatenate([self.outputs, self.outputs])]
        self._period = period

    @property
    def state(self) -> np.ndarray:
        """Current register contents."""
        states = np.empty(self.positions.size, np.int64)
        states[self.positions[1:]] = np.arange(1, self.positions.size)
        return states[(self.phase + self.steps) % self._period]

    def step(self) -> np.ndarray:
        """Shift every register once; return the output bits as their levels (default 0 or 1)."""
        out = self._doubled[self.phase + self.steps]
        self.steps = (self.steps + 1) % self._period
        return out


class RandomWalk:
    def __init__(self, spec: RandomWalkSpec, size: int, rng: np.random.Generator):
        self.spec = spec
        self.lfsr = LFSRBank(size, spec.lfsr_bits, rng, levels=(-spec.step, spec.step))

    def kicks(self) -> np.ndarray:
        return self.lfsr.step()


class GaussianKicks:
    def __init__(self, spec: GaussianNoiseSpec, size: int, rng: np.random.Generator):
        self.spec = spec
        self.size = size
        self.rng = rng

    def kicks(self) -> np.ndarray:
        return self.spec.sigma * self.rng.standard_normal(self.size)


def neuron_noise(spec, size: int, rng: np.random.Generator):
    """The per-period membrane noise source a noise description asks for (None for read noise)."""
    if isinstance(spec, RandomWalkSpec):
        return RandomWalk(spec, size, rng)
    if isinstance(spec, GaussianNoiseSpec):
        return GaussianKicks(spec, size, rng)
    return None


class PinkNoise:
    """Per-cell 1/f processes, advanced lazily at read time. Time ``now`` in seconds."""

    def __init__(self, spec: PinkNoiseSpec, size: int, rng: np.random.Generator):
        self.spec = spec
        self.rng = rng
        count = max(2, math.ceil(2 * math.log10(spec.f_max / spec.f_min)) + 1)
        self.rates = 2 * math.pi * np.geomspace(spec.f_min, spec.f_max, count)[:, None]  # 1/s
        self.scale = 1 / math.sqrt(count)  # each process has variance 1 / count
        self.x = (self.scale * rng.standard_normal((count, size))).astype(np.float32)
        self.updated = np.zeros(size)

    def sample(self, now: float, idx: np.ndarray) -> np.ndarray:
        """The unit-variance 1/f value of cells ``idx`` at ``now``."""
        decay = np.exp(-self.rates * (now - self.updated[idx]))
        fresh = self.scale * np.sqrt(1 - decay**2) * self.rng.standard_normal(decay.shape)
        x = self.x[:, idx] * decay + fresh
        self.x[:, idx] = x
        self.updated[idx] = now
        return x.sum(axis=0)

    def factor(self, now: float, idx: np.ndarray) -> np.ndarray:
        """Multiplier of a read of cells ``idx``: 1 + sigma x."""
        return 1 + self.spec.sigma * self.sample(now, idx)
