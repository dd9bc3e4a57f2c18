"""The trace layout, version 1 — the one place that names groups and datasets.

::

    /                      attrs: format="neurochip-trace", version=1,
                                  status ("running" | "complete" | "interrupted" | "failed"),
                                  t_end (simulated seconds reached), wall_time (s), error
    /meta                  attrs: chip, scenario, seed, tick (s), duration (s, asked for),
                                  created (ISO 8601), versions (JSON: package -> version)
        chip_yaml          the chip description, verbatim
        scenario_yaml      the scenario description, verbatim
    /spikes/<sender>/<side>        sender: a core or an input; side: rows | cols | out
                           attrs: size (neurons on that side), kind ("core" | "input")
        t                  float64 (n,)  spike times, s
        neuron             int32   (n,)  neuron index on that side
    /state/<core>          attrs: interval (s)
        t                  float64 (m,)  sample times, s
        <side>/v           float32 (m, size) membrane potential (normalised units)
    /conductance/<core>    attrs: cols (to turn a flat cell index into row, col)
        t                  float64 (k,)  sample times, s
        cells              int64   (c,)  flat indices (row * cols + col) of the sampled cells
        g_plus, g_minus    float32 (k, c) conductances, S (PCM pairs; drift applied, no read noise)
        w                  float32 (k, c) stored value (single-valued devices)
    /ledger                one row per (core, kind, stage); rewritten at every flush
        core, kind, stage  strings (n,)
        count              int64 (n,)

Datasets grow while the run goes (chunked, gzip-compressed) and are flushed at
intervals, so an interrupted run leaves everything written up to its last flush, and
a Ctrl-C flushes before closing.
"""

FORMAT = "neurochip-trace"
VERSION = 1
STATUSES = ("running", "complete", "interrupted", "failed")
