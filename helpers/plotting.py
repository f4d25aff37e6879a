"""Plot batches of Fashion-MNIST images as a titled grid."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure


def plot_image_grid(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor,
    class_names: Sequence[str],
    nrows: int = 4,
    ncols: int = 8,
    predictions: Sequence[int] | torch.Tensor | None = None,
) -> Figure:
    """Show the first ``nrows * ncols`` images ([B, 1, H, W] or [B, H, W], any scale) titled by class name.

    With ``predictions``, each title is the predicted class, green when right and red (with the
    true class) when wrong.
    """
    count = nrows * ncols
    if len(images) < count:
        raise ValueError(f"a {nrows}x{ncols} grid needs {count} images, got {len(images)}: pass a bigger batch")
    labels = [int(y) for y in labels[:count]]
    guesses = None if predictions is None else [int(p) for p in predictions[:count]]
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 1.5, nrows * 1.7), layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.imshow(images[i].detach().cpu().reshape(images.shape[-2:]).numpy(), cmap="gray")
        ax.set_xticks([])
        ax.set_yticks([])
        if guesses is None:
            ax.set_title(class_names[labels[i]], fontsize=9)
        else:
            right = guesses[i] == labels[i]
            title = class_names[guesses[i]] if right else f"{class_names[guesses[i]]}\n(is {class_names[labels[i]]})"
            ax.set_title(title, fontsize=8, color="green" if right else "red")
    return fig
