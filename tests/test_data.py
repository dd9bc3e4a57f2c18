"""Data sets: the fixed digits split, bars and stripes, and the IDX loader on files the test writes."""

import re

import numpy as np
import pytest

from conftest import write_idx
from neurochip.data import bars_and_stripes, digits, load_idx, load_mnist
from neurochip.data.datasets import DataError


def test_digits_split_is_fixed_and_stratified():
    train, test = digits()
    assert (len(train), len(test)) == (1437, 360)
    assert train.shape == (8, 8) and 0.0 <= train.images.min() and train.images.max() == 1.0
    assert np.all(np.bincount(test.labels) >= 35)  # about 36 of each class
    again, _ = digits()
    np.testing.assert_array_equal(train.labels, again.labels)


def test_first_per_class_is_balanced():
    train, _ = digits()
    hundred = train.first_per_class(100)
    assert np.all(np.bincount(hundred.labels, minlength=10) == 10)


def test_bars_and_stripes_counts_and_labels():
    data = bars_and_stripes(4)
    assert len(data) == 2**5 - 4
    for image, label in zip(data.images, data.labels):
        lines = image if label == 0 else image.T
        assert np.all(lines == lines[:, :1])  # each row (bars) or column (stripes) uniform
        assert 0 < image.sum() < 16


def test_idx_loader_reads_mnist_format_files(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    write_idx(tmp_path / "images-idx3-ubyte.gz", images, 0x08)
    write_idx(tmp_path / "labels-idx1-ubyte", labels, 0x08)
    data = load_mnist(tmp_path / "images-idx3-ubyte.gz", tmp_path / "labels-idx1-ubyte")
    np.testing.assert_allclose(data.images, images / 255.0)
    np.testing.assert_array_equal(data.labels, labels)
    assert data.classes == 6
    floats = np.linspace(0, 1, 12).reshape(3, 4)
    write_idx(tmp_path / "f.idx", floats, 0x0D)
    np.testing.assert_allclose(load_idx(tmp_path / "f.idx"), floats, rtol=1e-7)


@pytest.mark.parametrize("labels, message", [
    (np.array([0.0, 1.5, 2.0]), "labels must be whole numbers 0 or more (class indices), got 1.5"),
    (np.array([0.0, -1.0]), "labels must be whole numbers 0 or more (class indices), got -1"),
    (np.array([], np.uint8), "no images in them"),
])
def test_mnist_labels_must_be_class_indices(labels, message, tmp_path):
    # a float label was truncated to a class silently; an empty pair died in numpy's max()
    write_idx(tmp_path / "images", np.zeros((len(labels), 4, 4), np.uint8), 0x08)
    write_idx(tmp_path / "labels", labels, 0x0D)
    with pytest.raises(DataError, match=re.escape(message)):
        load_mnist(tmp_path / "images", tmp_path / "labels")


def test_idx_errors_name_the_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_idx(tmp_path / "none")
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(DataError, match="not an IDX file"):
        load_idx(tmp_path / "bad")
    write_idx(tmp_path / "short", np.zeros((2, 3), np.uint8), 0x08)
    (tmp_path / "short").write_bytes((tmp_path / "short").read_bytes()[:-1])
    with pytest.raises(DataError, match="expected 18 for shape"):
        load_idx(tmp_path / "short")
    write_idx(tmp_path / "damaged.gz", np.arange(200, dtype=np.uint8).reshape(10, 20), 0x08)
    packed = bytearray((tmp_path / "damaged.gz").read_bytes())
    packed[12] ^= 0xFF  # inside the deflate stream, past gzip's 10-byte header
    (tmp_path / "damaged.gz").write_bytes(bytes(packed))
    with pytest.raises(DataError, match="damaged.gz: cannot read"):
        load_idx(tmp_path / "damaged.gz")
