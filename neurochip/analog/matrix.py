"""A weight matrix on crossbar cores: analog reads through the periphery, pulsed updates.

A logical matrix of ``inputs x outputs`` is cut into tiles of at most a core's
``rows x cols``; tile (i, j) holds input lines i*rows... on its rows and output lines
j*cols... on its columns. A forward read drives the inputs on the rows and converts each
tile's column currents on its own ADC; the partial sums of the tiles of one output block
are added digitally (the weight-matrix / array-size mismatch real chips face). A
backward read drives the columns and sums onto the rows. The periphery (``IOSpec``):
inputs scaled per vector to +-in_bound by their largest magnitude and quantised by the
DAC, Gaussian read noise on every output, outputs clipped at +-out_bound and quantised
by the ADC, then scaled back.

Updates are stochastic pulse trains (Gokmen & Vlasov, Front. Neurosci. 2016): in each of
BL slots, input line i fires with probability c_x |x_i| and output line j with
c_d |d_j|; every coincidence is one pulse on cell (i, j), down where x_i d_j > 0 (the
gradient step), up where it is < 0. With c_x c_d = lr / (BL dw), the expected change is
-lr x_i d_j. Update management (Gokmen et al. 2017) balances c_x and c_d by
sqrt(max|d| / max|x|). The coincidences of a mini-batch are counted exactly
(``coincidences.py``: a popcount of the lines' slot masks) and handed to the
devices as counts, which apply them interleaved (closed forms where the device law
has one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np

from ..compiled_random import new_state
from ..description.training import IOSpec, PulseUpdateSpec
from ..devices.base import ValueArray
from .coincidences import pulse_coincidences
from .periphery import levels, read_matrix

_UNDRIVEN = np.zeros((0, 0))  # the place of a tile with no line driven: never indexed


@dataclass
class Tile:
    core: Core
    inputs: slice   # the matrix rows (input lines) this tile holds
    outputs: slice  # the matrix columns (output lines)

    @cached_property
    def rows(self) -> np.ndarray:
        """The array rows the tile uses (its input lines, from the top)."""
        return np.arange(self.inputs.stop - self.inputs.start)

    @cached_property
    def cols(self) -> np.ndarray:
        """The array columns the tile uses (its output lines, from the left)."""
        return np.arange(self.outputs.stop - self.outputs.start)

    @cached_property
    def cells(self) -> np.ndarray:
        """Flat cell indices of the tile's block on its core (top-left corner of the array)."""
        return (self.rows[:, None] * self.core.crossbar.cols + self.cols[None, :]).ravel()

    @cached_property
    def devices(self):
        """The device array of the tile's core."""
        return self.core.crossbar.devices

    @cached_property
    def lends_view(self) -> bool:
        """Whether its devices hold plain values, so that a read costs nothing until used."""
        return isinstance(self.devices, ValueArray)

    def read(self, now: float) -> np.ndarray:
        """The tile's cells as one read sees them, its block at the top left of the result: where
        the devices hold plain values, their whole array (a view, nothing copied or drawn);
        otherwise a read of the tile's block (PCM: drift and read noise on every cell of it)."""
        if self.lends_view:
            return self.devices.grid(now)
        return self.devices.read(now, self.rows, self.cols)[0]


class AnalogMatrix:
    """``inputs x outputs`` weights held by the devices of ``tiles`` (one core each)."""

    def __init__(self, name: str, tiles: list[Tile], inputs: int, outputs: int, io: IOSpec, rng: np.random.Generator):
        self.name, self.tiles, self.io = name, tiles, io
        self.state = new_state(rng)  # the compiled kernels' generator: read noise, pulse slots
        self.shape = (inputs, outputs)
        self.step = tiles[0].devices.nominal_step
        #: each tile's [start, stop) of input lines and of output lines
        self.tile_inputs = np.array([[t.inputs.start, t.inputs.stop] for t in tiles], np.int64)
        self.tile_outputs = np.array([[t.outputs.start, t.outputs.stop] for t in tiles], np.int64)
        self._dac_steps, self._adc_steps = levels(io.dac_bits), levels(io.adc_bits)
        #: the run's ledger (its cores'), and the cores' names in tile order
        self.ledger, self._core_names = tiles[0].core.ledger, [tile.core.name for tile in tiles]
        #: each tile's converted lines (its fan-out) in a forward and in a backward read
        self._widths = {True: np.diff(self.tile_outputs).ravel().tolist(),
                        False: np.diff(self.tile_inputs).ravel().tolist()}
        #: reads not yet in the ledger, by (stage, forward, transfer): per tile, line drives and
        #: vectors converted (``read_matrix`` tallies them; the ledger takes them when read)
        self._tallies: dict[tuple[str, bool, bool], np.ndarray] = {}
        self.ledger.defer(self._settle_reads)
        #: the pulse counts (ups, downs) of the latest update, rewritten by every update
        self._counts = np.zeros(self.shape, np.int64), np.zeros(self.shape, np.int64)
        #: (devices, (input lines, output lines)) of every tile, and of the tiles that hold given
        #: input lines (a transfer's: they repeat every pass over the inputs)
        self._blocks = [(tile.devices, (tile.inputs, tile.outputs)) for tile in tiles]
        self._blocks_of_lines: dict[tuple[int, ...], list] = {}

    # -- state ----------------------------------------------------------------------------
    def weights(self, now: float, noisy: bool = False) -> np.ndarray:
        """The whole matrix as stored (or as one read sees it)."""
        full = np.empty(self.shape)
        for tile in self.tiles:
            rows = np.arange(tile.inputs.stop - tile.inputs.start)
            cols = np.arange(tile.outputs.stop - tile.outputs.start)
            full[tile.inputs, tile.outputs] = tile.devices.weights(now, rows, cols, noisy)
        return full

    def program(self, weights: np.ndarray, now: float) -> None:
        """Program-and-verify every tile to its block of ``weights`` (the rest of each array untouched)."""
        for tile in self.tiles:
            devices = tile.devices
            full = devices.weights(now, noisy=False)
            full[: tile.inputs.stop - tile.inputs.start, : tile.outputs.stop - tile.outputs.start] = \
                weights[tile.inputs, tile.outputs]
            devices.program(full, now)

    def has(self, name: str) -> bool:
        """Whether every tile's devices offer the per-device property ``name``."""
        return all(hasattr(tile.devices, name) for tile in self.tiles)

    def device_values(self, name: str) -> np.ndarray:
        """A per-device property (e.g. 'symmetry_point', 'resting_point') laid out as the matrix."""
        full = np.empty(self.shape)
        for tile in self.tiles:
            values = getattr(tile.devices, name)()
            full[tile.inputs, tile.outputs] = values[tile.cells].reshape(full[tile.inputs, tile.outputs].shape)
        return full

    # -- reads ----------------------------------------------------------------------------
    def forward(self, x: np.ndarray, now: float, kind: str = "forward") -> np.ndarray:
        """(batch, inputs) -> (batch, outputs) through DAC, arrays, noise, ADC."""
        return self._read(x, now, forward=True, kind=kind)

    def backward(self, d: np.ndarray, now: float) -> np.ndarray:
        """(batch, outputs) -> (batch, inputs) through the transposed arrays."""
        return self._read(d, now, forward=False, kind="backward")

    def _read(self, vectors: np.ndarray, now: float, forward: bool, kind: str) -> np.ndarray:
        """Drive the lines whose (quantised) input is not zero: only their cells are counted, as a
        line at 0 V draws no current (a transfer's one-hot input reads one line). One compiled
        call (``read_matrix``) does the read; each tile lends its array as this read sees it
        (``Tile.read``)."""
        io = self.io
        vectors = np.ascontiguousarray(vectors, float)
        return read_matrix(vectors, self._lent(vectors, now, forward), self.tile_inputs, self.tile_outputs, forward,
                           io.in_bound, self._dac_steps, io.out_noise, self.state, io.out_bound, self._adc_steps,
                           self.shape[1] if forward else self.shape[0], self._tally(forward, kind == "transfer"))

    def _lent(self, vectors: np.ndarray, now: float, forward: bool) -> tuple:
        """Each tile's array as a read of ``vectors`` sees it; a tile none of whose lines is driven is
        not read (a lent view costs nothing, so only the other tiles are checked)."""
        return tuple([tile.read(now) if tile.lends_view or vectors[:, tile.inputs if forward else tile.outputs].any()
                      else _UNDRIVEN for tile in self.tiles])

    def _tally(self, forward: bool, transfer: bool) -> np.ndarray:
        """The (tiles, 2) tally that a read of this direction and kind adds to in the ledger's current stage.
        (A call to the ledger per tile and read was about 4 % of a Tiki-Taka step.)"""
        key = (self.ledger.stage, forward, transfer)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = np.zeros((len(self.tiles), 2), np.int64)
        return tally

    def _settle_reads(self) -> None:
        """Into the ledger: each tile's line drives read its fan-out of cells; each vector it
        converted converts the fan-out."""
        add = self.ledger.add
        for (stage, forward, transfer), tally in self._tallies.items():
            cell_reads = "transfer_read" if transfer else "synaptic_op"
            for core, (drives, vectors), fan_out in zip(self._core_names, tally.tolist(), self._widths[forward]):
                add(core, cell_reads, drives * fan_out, stage)
                add(core, "dac_drive", drives, stage)
                add(core, "adc_conversion", vectors * fan_out, stage)
            tally[:] = 0

    # -- updates --------------------------------------------------------------------------
    def pulse_update(self, x: np.ndarray, d: np.ndarray, lr: float, now: float, update: PulseUpdateSpec) -> None:
        """Stochastic pulse-coincidence update toward -lr sum_b x_b d_b^T (x: (batch, inputs), d: (batch, outputs))."""
        ups, downs = self.coincidences(x, d, lr, update)
        self.apply_counts(ups, downs, now)

    def coincidences(self, x: np.ndarray, d: np.ndarray, lr: float, update: PulseUpdateSpec):
        """(ups, downs): pulse counts per cell, each (inputs, outputs), drawn for one update (the
        matrix's own count arrays: the next update here rewrites them)."""
        ups, downs = self._counts
        pulse_coincidences(np.ascontiguousarray(x, float), np.ascontiguousarray(d, float),
                           self._pulse_scale(lr, update), update.update_management, update.bl, self.state, ups, downs)
        return ups, downs

    def _pulse_scale(self, lr: float, update: PulseUpdateSpec) -> float:
        """c = sqrt(lr / (BL dw)): each line fires with probability c |value| (before management)."""
        return math.sqrt(lr / (update.bl * self.step))

    def transfer_from(self, source: "AnalogMatrix", lines: np.ndarray, one_hot: np.ndarray, reference: np.ndarray,
                      lr: float, now: float, update: PulseUpdateSpec) -> None:
        """Tiki-Taka's transfer: read input ``lines`` of ``source`` (``one_hot``: one such line per
        row; a read of kind transfer) and pulse what they hold less ``reference`` into the same lines
        here at ``lr``: ``pulse_update(one_hot, reference - read)``, the read and the coincidences in
        one compiled call, the counts to the tiles that hold ``lines`` only."""
        io = source.io
        ups, downs = self._counts
        _read_and_coincide(
            one_hot, source._lent(one_hot, now, True), source.tile_inputs, source.tile_outputs, io.in_bound,
            source._dac_steps, io.out_noise, source.state, io.out_bound, source._adc_steps, source.shape[1],
            source._tally(True, True), reference, self._pulse_scale(lr, update), update.update_management, update.bl,
            self.state, ups, downs)
        self.apply_counts(ups, downs, now, lines)

    def apply_counts(self, ups: np.ndarray, downs: np.ndarray, now: float, lines=None) -> None:
        """Pulse counts per cell, each (inputs, outputs), to the tiles' devices, block by block (only
        to the tiles that hold one of the input ``lines``, where given)."""
        for devices, block in self._blocks if lines is None else self._holding(lines):
            devices.pulse_block(ups[block], downs[block], now)

    def _holding(self, lines: np.ndarray) -> list:
        """The blocks of the tiles that hold one of the input ``lines``."""
        key = tuple(lines.tolist())
        blocks = self._blocks_of_lines.get(key)
        if blocks is None:
            blocks = self._blocks_of_lines[key] = [
                (devices, block) for devices, block in self._blocks
                if any(block[0].start <= line < block[0].stop for line in key)]
        return blocks


@numba.njit(cache=True)
def _read_and_coincide(one_hot, weights, inputs, outputs, in_bound, dac_steps, out_noise, read_state, out_bound,
                       adc_steps, lines_out, tally, reference, c, manage, bl, pulse_state, ups, downs):
    """Into ``ups`` and ``downs``: a forward read of ``one_hot`` (tallied in ``tally``) and the coincidences of
    the update with x = ``one_hot``, d = ``reference`` - the read (the compiled functions in turn,
    without a return to Python between them)."""
    read = read_matrix(one_hot, weights, inputs, outputs, True, in_bound, dac_steps, out_noise, read_state, out_bound,
                       adc_steps, lines_out, tally)
    pulse_coincidences(one_hot, reference - read, c, manage, bl, pulse_state, ups, downs)
