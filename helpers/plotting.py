"""Plot a batch of Fashion-MNIST images as a grid titled with class names."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure


def plot_image_grid(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor,
    class_names: Sequence[str],
    max_images: int = 32,
    ncols: int = 8,
    predictions: Sequence[int] | torch.Tensor | None = None,
) -> Figure:
    """Show up to ``max_images`` images ([B, 1, H, W] or [B, H, W], any scale), ``ncols`` per row, titled by class.

    A batch smaller than ``max_images`` is shown whole. With ``predictions``, each title is the predicted
    class, green when right and red (with the true class) when wrong.
    """
    count = min(len(images), max_images)
    if count == 0:
        raise ValueError("the batch holds no images to plot")
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols)
    labels = [int(y) for y in labels[:count]]
    guesses = None if predictions is None else [int(p) for p in predictions[:count]]
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 1.5, nrows * 1.7), layout="constrained", squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= count:
            ax.set_axis_off()
            continue
        ax.imshow(images[i].detach().cpu().reshape(images.shape[-2:]).numpy(), cmap="gray")
        if guesses is None:
            ax.set_title(class_names[labels[i]], fontsize=9)
        else:
            right = guesses[i] == labels[i]
            title = class_names[guesses[i]] if right else f"{class_names[guesses[i]]}\n(is {class_names[labels[i]]})"
            ax.set_title(title, fontsize=8, color="green" if right else "red")
    return fig
