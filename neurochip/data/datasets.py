"""Data sets as arrays of images in [0, 1] with integer labels."""

from __future__ import annotations

import gzip
import itertools
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import NeurochipError

#: IDX element types: code -> (numpy big-endian dtype, size in bytes)
IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
             0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class DataError(NeurochipError):
    """A data file is missing or not what it claims to be."""


@dataclass(frozen=True)
class Dataset:
    name: str
    images: np.ndarray  # (n, height, width), floats in [0, 1]
    labels: np.ndarray  # (n,), int
    classes: int

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def shape(self) -> tuple[int, int]:
        return self.images.shape[1:]

    def subset(self, indices) -> "Dataset":
        return Dataset(self.name, self.images[indices], self.labels[indices], self.classes)

    def first_per_class(self, count: int) -> "Dataset":
        """The first ``count`` images in class-balanced order (as in the chip's 100-image experiment)."""
        by_class = [np.flatnonzero(self.labels == c) for c in range(self.classes)]
        order = [i for group in itertools.zip_longest(*by_class) for i in group if i is not None]
        return self.subset(np.array(order[:count]))


def digits() -> tuple[Dataset, Dataset]:
    """scikit-learn's 8 x 8 digits: (train, test), 1,437 and 360 images, the fixed split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = bunch.images / 16.0
    train_x, test_x, train_y, test_y = train_test_split(images, bunch.target, test_size=0.2,
                                                        stratify=bunch.target, random_state=0)
    return Dataset("digits", train_x, train_y, 10), Dataset("digits", test_x, test_y, 10)


def bars_and_stripes(n: int) -> Dataset:
    """All n x n bars (label 0) and stripes (label 1), without the empty and full images."""
    if n < 2:
        raise ValueError("bars and stripes need n >= 2")
    images, labels = [], []
    for label, orient in ((0, lambda on: np.repeat(on[:, None], n, axis=1)),
                          (1, lambda on: np.repeat(on[None, :], n, axis=0))):
        for bits in itertools.product((0.0, 1.0), repeat=n):
            if 0 < sum(bits) < n:
                images.append(orient(np.array(bits)))
                labels.append(label)
    return Dataset(f"bars-and-stripes-{n}", np.array(images), np.array(labels), 2)


def load_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (``.gz`` too) into an array of its shape and type."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:  # zlib.error: a damaged .gz stream
        raise DataError(f"{path}: cannot read ({error})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        raise DataError(f"{path}: not an IDX file (expected two zero bytes and a type code in its first 4 bytes)")
    dtype, ndim = IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated header")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, 4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise DataError(f"{path}: {len(raw)} bytes, expected {expected} for shape {shape} of {dtype.name}")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist(images: str | Path, labels: str | Path, name: str = "mnist") -> Dataset:
    """MNIST-format image and label files (e.g. train-images-idx3-ubyte[.gz]) as a data set."""
    pixels, targets = load_idx(images), load_idx(labels)
    if pixels.ndim != 3 or targets.ndim != 1 or len(pixels) != len(targets):
        raise DataError(f"{images}, {labels}: expected images (n, rows, cols) and n labels, "
                        f"got {pixels.shape} and {targets.shape}")
    if len(targets) == 0:
        raise DataError(f"{images}, {labels}: no images in them")
    wrong = targets[(targets < 0) | (targets != np.round(targets))]
    if wrong.size:
        raise DataError(f"{labels}: labels must be whole numbers 0 or more (class indices), got {wrong[0]:g}")
    scale = 255.0 if pixels.dtype == np.uint8 else max(float(pixels.max()), 1.0)
    return Dataset(name, pixels / scale, targets.astype(np.int64), int(targets.max()) + 1)


_MNIST_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def mnist_folder(folder: str | Path) -> tuple[Dataset, Dataset]:
    """The four MNIST IDX files of ``folder`` (each plain or ``.gz``) as (train, test)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder (expected the four MNIST IDX files in it)")

    def find(stem: str) -> Path:
        for candidate in (folder / stem, folder / f"{stem}.gz"):
            if candidate.is_file():
                return candidate
        raise DataError(f"{folder}: {stem} (or {stem}.gz) not found")

    return tuple(load_mnist(*(find(stem) for stem in _MNIST_FILES[part]), name="mnist")
                 for part in ("train", "test"))


def select(train: Dataset, test: Dataset, n_train: int | None, n_test: int | None,
           balanced: bool = False) -> tuple[Dataset, Dataset]:
    """The first ``n_train`` training images (class by class in turn where ``balanced``) and the
    first ``n_test`` test images; None keeps them all. Asking for more than there are is an error."""
    for part, data, n in (("train", train, n_train), ("test", test, n_test)):
        if n is not None and n > len(data):
            raise DataError(f"{n} {part} images asked for, the {data.name} set has {len(data)}")
    if balanced:
        train = train.first_per_class(n_train or len(train))
    elif n_train is not None:
        train = train.subset(np.arange(n_train))
    return train, test.subset(np.arange(n_test if n_test is not None else len(test)))
