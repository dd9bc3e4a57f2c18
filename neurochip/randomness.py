"""Named random streams from one seed: same seed, same run, bit for bit.

Each block asks for a generator by name ("core/a", "input/pixels"); the stream of a
name depends only on the seed and the name, not on the order blocks are built in, so
adding a block does not change the others' draws.
"""

from __future__ import annotations

import hashlib

import numpy as np


class Streams:
    def __init__(self, seed: int):
        self.seed = int(seed)

    def generator(self, name: str) -> np.random.Generator:
        key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
