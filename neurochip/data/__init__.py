"""Data sets for on-chip learning: bundled, generated, or the user's own files (no network).

* ``digits()``: scikit-learn's bundled 8 x 8 handwritten digits (1,797 images), split 80/20,
  stratified by class, with ``random_state=0``: 1,437 training and 360 test images. The
  split is fixed so that every learning mode (spiking RBM, backprop, Tiki-Taka) is
  compared on the same images.
* ``bars_and_stripes(n)``: every n x n image whose rows are each all on or all off
  ("bars", label 0) or whose columns are ("stripes", label 1); the empty and full images
  belong to both and are left out: 2^(n+1) - 4 images.
* ``load_idx`` / ``load_mnist``: the IDX format of the MNIST files (optionally gzipped),
  so the 832 x 832 chip can learn MNIST where a user has the files; ``mnist_folder`` reads
  the four standard files (train-images-idx3-ubyte, ...) of one folder.
* ``select``: how many of them a run uses (all, the first n, or class by class in turn).
"""

from .datasets import DataError, Dataset, bars_and_stripes, digits, load_idx, load_mnist, mnist_folder, select

__all__ = ["DataError", "Dataset", "bars_and_stripes", "digits", "load_idx", "load_mnist", "mnist_folder", "select"]
