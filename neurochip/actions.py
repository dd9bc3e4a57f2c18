"""Scenario actions on cores at given times: program, pulse, snapshot, noise on/off, stage (LEARN phase).

Between two actions the engine has nothing to do and jumps ahead: a day of idling costs
no events, while drift and retention follow the simulated clock.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .chip import Chip, initial_weights
from .description.scenario import ActionSpec
from .devices.base import block_cells
from .kernel.engine import Engine, Phase
from .randomness import Streams


def run_actions(engine: Engine, chip: Chip, actions: list[ActionSpec], streams: Streams,
                weight_files: dict[str, np.ndarray], after: Callable[[str], None]):
    """Process: apply ``actions`` in time order; call ``after(core)`` once each is done."""
    for index, action in sorted(enumerate(actions), key=lambda item: item[1].at):
        yield engine.at(engine.ticks(action.at) - engine.now, Phase.LEARN)
        crossbar = chip.cores[action.core].crossbar
        now = engine.seconds(engine.now)
        if action.stage is not None:
            chip.ledger.stage = action.stage
        if action.noise is not None:
            chip.cores[action.core].set_noise(action.noise)
        elif action.program is not None:
            rng = streams.generator(f"actions/{index}")
            weights = initial_weights(action.program, (crossbar.rows, crossbar.cols), rng,
                                      weight_files.get(action.program.file))
            crossbar.program(weights, now)
        elif action.pulse is not None:
            cells, _ = block_cells((crossbar.rows, crossbar.cols), action.pulse.rows, action.pulse.cols)
            cells = np.unique(cells)
            signs = np.full(cells.size, action.pulse.sign)
            for _ in range(action.pulse.count):
                crossbar.pulse(cells, signs, now)
        after(action.core)
