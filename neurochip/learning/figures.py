"""Pictures of a learning run, drawn from its trace: learning curve, receptive fields,
reconstructions, generated images, confusion matrix. Each is one PNG beside the trace."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402

from ..traces import Trace  # noqa: E402
from .session import occlusion_masks  # noqa: E402


def _grid(count: int) -> tuple[int, int]:
    cols = math.ceil(math.sqrt(count))
    return math.ceil(count / cols), cols


def _images(images: np.ndarray, titles: list[str], title: str, path: Path, cmap="gray_r", symmetric=False,
            cols: int | None = None) -> Path:
    """One panel per image (NaN pixels in orange), ``cols`` to a row (default: a square grid)."""
    rows, cols = _grid(len(images)) if cols is None else (math.ceil(len(images) / cols), cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.4 * rows + 0.4), squeeze=False)
    limit = float(np.nanmax(np.abs(images))) or 1.0
    colours = plt.get_cmap(cmap).with_extremes(bad="tab:orange")
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, name in zip(axes.ravel(), images, titles):
        ax.imshow(image, cmap=colours, vmin=-limit if symmetric else 0, vmax=limit if symmetric else 1)
        ax.set_title(name, fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def learning_figures(trace_path: Path, stem: Path | None = None, fields: int = 25) -> list[Path]:
    """Write the run's pictures as ``<stem>-<what>.png``; return their paths."""
    trace_path = Path(trace_path)
    stem = Path(stem) if stem is not None else trace_path.with_suffix("")
    with Trace(trace_path) as trace:
        record = trace.learning()
        scenario = yaml.safe_load(trace.text("scenario_yaml"))
    if record is None:
        return []
    attrs, curve, results = record["attrs"], record["curve"], record["results"]
    written = []
    if len(curve["samples"]):
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.plot(curve["samples"], 100 * curve["accuracy"], "o-")
        ax.set_xlabel("training samples seen")
        ax.set_ylabel("classification accuracy (%)")
        ax.set_ylim(0, 100)
        ax.axhline(100 / attrs["classes"], color="0.6", lw=0.8, ls="--", label="chance")
        ax.legend(frameon=False)
        ax.set_title(f"{attrs['mode']} on {attrs['data']}: learning curve", fontsize=9)
        fig.tight_layout()
        fig.savefig(path := stem.with_name(stem.name + "-learning-curve.png"), dpi=110)
        plt.close(fig)
        written.append(path)
    shape = tuple(int(n) for n in attrs["image_shape"])
    if "weights" in results:
        pixels = int(np.prod(shape))
        hidden = int(attrs.get("hidden", results["weights"].shape[1]))  # traces before the attribute: all columns
        weights = results["weights"][:pixels, :hidden]  # not the bias columns
        order = np.argsort(-np.abs(weights).sum(axis=0))[: min(fields, hidden)]  # the most connected units
        images = weights[:, order].T.reshape(-1, *shape)
        written.append(_images(images, [f"h{j}" for j in order], "receptive fields (pixel weights of hidden units)",
                               stem.with_name(stem.name + "-receptive-fields.png"), cmap="RdBu_r", symmetric=True))
    if "reconstructions" in results:
        originals = results["originals"]
        count = min(8, len(originals))
        if "occluded" in results:
            hidden = results["occluded"][:count]
        else:  # traces before the masks were kept hid the same half of every image
            half = scenario["learning"]["reconstruct"].get("occlude", "bottom")
            hidden = occlusion_masks(shape, half, count)
        clamped = np.where(hidden, np.nan, originals[:count])
        panels = np.concatenate([originals[:count], clamped, results["reconstructions"][:count]])
        titles = [f"{what} {i}" for what in ("image", "clamped", "read") for i in range(count)]
        written.append(_images(panels, titles, "occluded test images: original, the pixels clamped (hidden in "
                               "orange), intensity read where hidden",
                               stem.with_name(stem.name + "-reconstructions.png"), cols=count))
    if "generated" in results:
        written.append(_images(results["generated"], [f"class {c}" for c in range(len(results["generated"]))],
                               "generated: one label group clamped, intensity of every pixel",
                               stem.with_name(stem.name + "-generated.png")))
    if "confusion" in results:
        matrix = results["confusion"]
        fig, ax = plt.subplots(figsize=(4.2, 3.8))
        shown = ax.imshow(matrix, cmap="Blues")
        for (i, j), n in np.ndenumerate(matrix):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", fontsize=7,
                        color="white" if n > matrix.max() / 2 else "black")
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.set_xticks(range(len(matrix)))
        ax.set_yticks(range(len(matrix)))
        fig.colorbar(shown, ax=ax, shrink=0.8)
        accuracy = record["result_attrs"].get("test_accuracy", np.nan)
        ax.set_title(f"confusion matrix (test accuracy {100 * accuracy:.1f} %)", fontsize=9)
        fig.tight_layout()
        fig.savefig(path := stem.with_name(stem.name + "-confusion.png"), dpi=110)
        plt.close(fig)
        written.append(path)
    return written
