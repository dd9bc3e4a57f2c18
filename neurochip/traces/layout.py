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
    /learning              attrs: mode ("spiking-rbm"), core, data (set name), classes,
                                  train_images, test_images, samples_seen (training samples done),
                                  image_shape (height, width), hidden (hidden units)
        curve/samples      int64   (p,)  training samples seen at each point of the learning curve
        curve/t            float64 (p,)  simulated time of the point, s
        curve/accuracy     float64 (p,)  spiking classification accuracy on the evaluation images
        results            attrs: test_accuracy, train_accuracy, free_energy_accuracy,
                                  reconstruction_error, mean_image_error, neighbours_error and
                                  neighbours (the training images it averages; present when measured)
            predictions    int64   (n,)  predicted class of each test image (-1: no label spike)
            confusion      int64   (classes, classes)  rows: true class, columns: predicted
            weights        float32 (rows, cols)  the array's weights at the end (w units)
            reconstructions float32 (k, h, w)  intensity of every pixel (P(on) / a full line's), occluded pixels read out
            originals      float32 (k, h, w)  the binarised test images reconstructed
            occluded       bool    (k, h, w)  the pixels hidden from each image (traces before it: the scenario's half)
            generated      float32 (classes, h, w)  intensity of every pixel, one class clamped
            (MLP training runs, mode mlp/<algorithm>: loss (epochs,), weights<k> float32 per layer,
             lifetime_seconds and lifetime_accuracy (points,): test accuracy after idling)
    /ledger                one row per (core, kind, stage); rewritten at every flush
        core, kind, stage  strings (n,)
        count              int64 (n,)
        measures/          one row per (core, measure, stage): physical sums and tallies
            core, name, stage  strings (m,)   (names: neurochip.ledger.MEASURES)
            value          float64 (m,)   e.g. read_conductance in S, inferences
        time/              simulated time spent in each stage
            stage          strings (s,)
            seconds        float64 (s,)

Datasets grow while the run goes (chunked, gzip-compressed) and are flushed at
intervals, so an interrupted run leaves everything written up to its last flush, and
a Ctrl-C flushes before closing.
"""

FORMAT = "neurochip-trace"
VERSION = 1
STATUSES = ("running", "complete", "interrupted", "failed")
