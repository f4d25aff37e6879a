"""The course's Fashion-MNIST CNN as a ``LightningModule`` (lessons 4-7).

The article's network, corrected: Fashion-MNIST images have ONE channel, so the first convolution
takes 1 input channel (the article's ``28 * 28 * 3`` comment was wrong). Three conv+pool blocks
shrink 28x28 to 3x3, then three linear layers map the features to 10 class scores.
"""

from __future__ import annotations

import math
from typing import Any

import pytorch_lightning as pl
import torch
from torch import nn
from torch.nn import functional as F
from torchmetrics.classification import MulticlassAccuracy

NUM_CLASSES = 10
IMAGE_SHAPE = (1, 28, 28)
OPTIMIZERS = ("adam", "sgd")
SCHEDULERS = (None, "step", "cosine", "onecycle")
CHANNELS = (16, 32, 64)  # output channels of the three conv blocks
HIDDEN = (128, 64)  # sizes of the two hidden linear layers

Batch = tuple[torch.Tensor, torch.Tensor]


def _conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """3x3 convolution (size kept), ReLU, then 2x2 max-pool (size halved, rounded down)."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))


def check_hparams(learning_rate: float, optimizer: str, scheduler: str | None, momentum: float) -> None:
    """Raise ``ValueError`` saying what to use when a constructor argument cannot train."""
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)):
        raise ValueError(f"learning_rate must be a number such as 1e-3, got {learning_rate!r}")
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(
            f"learning_rate must be a positive, finite number, got {learning_rate!r}: "
            "use a small positive value such as 1e-3 for Adam or 0.05 for SGD"
        )
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if scheduler not in SCHEDULERS:
        raise ValueError(f"scheduler must be one of {SCHEDULERS}, got {scheduler!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}: 0.9 is the usual choice for SGD")


class FashionCNN(pl.LightningModule):
    """Three conv+pool blocks and three linear layers; input ``[B, 1, 28, 28]`` float, output ``[B, 10]`` logits.

    Args:
        learning_rate: optimizer step size (> 0).
        optimizer: ``"adam"`` or ``"sgd"`` (SGD uses ``momentum``).
        scheduler: ``None``, ``"step"`` (halve the LR every epoch), ``"cosine"`` (to 0 over ``max_epochs``)
            or ``"onecycle"`` (per step, over ``trainer.estimated_stepping_batches``; in Lightning 2.6 reading
            that stops a mid-epoch resume from restoring a resumable loader's position, see ``helpers.resumable``).
        momentum: SGD momentum.
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        optimizer: str = "adam",
        scheduler: str | None = None,
        momentum: float = 0.9,
    ) -> None:
        super().__init__()
        check_hparams(learning_rate, optimizer, scheduler, momentum)
        self.save_hyperparameters()
        c1, c2, c3 = CHANNELS
        self.features = nn.Sequential(_conv_block(1, c1), _conv_block(c1, c2), _conv_block(c2, c3))
        side = IMAGE_SHAPE[1] // 2 // 2 // 2  # 28 -> 14 -> 7 -> 3
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c3 * side * side, HIDDEN[0]),
            nn.ReLU(),
            nn.Linear(HIDDEN[0], HIDDEN[1]),
            nn.ReLU(),
            nn.Linear(HIDDEN[1], NUM_CLASSES),
        )
        # One metric object per stage: their running states must not mix.
        self.train_acc = MulticlassAccuracy(NUM_CLASSES, average="micro")
        self.val_acc = MulticlassAccuracy(NUM_CLASSES, average="micro")
        self.test_acc = MulticlassAccuracy(NUM_CLASSES, average="micro")
        self.example_input_array = torch.zeros(1, *IMAGE_SHAPE)  # lets ModelSummary show tensor sizes

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) for a batch of images ``[B, 1, 28, 28]``."""
        return self.classifier(self.features(images))

    def _loss_and_logits(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        images, labels = batch
        logits = self(images)
        return F.cross_entropy(logits, labels), logits, labels

    def training_step(self, batch: Batch, batch_idx: int) -> torch.Tensor:
        loss, logits, labels = self._loss_and_logits(batch)
        self.train_acc(logits, labels)
        self.log("train_loss", loss, on_step=True, on_epoch=True, prog_bar=True)
        self.log("train_acc", self.train_acc, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch: Batch, batch_idx: int) -> None:
        loss, logits, labels = self._loss_and_logits(batch)
        self.val_acc(logits, labels)
        self.log("val_loss", loss, on_epoch=True, prog_bar=True)
        self.log("val_acc", self.val_acc, on_epoch=True, prog_bar=True)

    def test_step(self, batch: Batch, batch_idx: int) -> None:
        loss, logits, labels = self._loss_and_logits(batch)
        self.test_acc(logits, labels)
        self.log("test_loss", loss, on_epoch=True)
        self.log("test_acc", self.test_acc, on_epoch=True)

    def predict_step(self, batch: Batch, batch_idx: int) -> torch.Tensor:
        """Predicted class indices (the labels in the batch are ignored)."""
        images, _ = batch
        return self(images).argmax(dim=1)

    def configure_optimizers(self) -> Any:
        hp = self.hparams
        if hp.optimizer == "adam":
            optimizer = torch.optim.Adam(self.parameters(), lr=hp.learning_rate)
        else:
            optimizer = torch.optim.SGD(self.parameters(), lr=hp.learning_rate, momentum=hp.momentum)
        if hp.scheduler is None:
            return optimizer
        if hp.scheduler == "step":
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
            interval = "epoch"
        elif hp.scheduler == "cosine":
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, self.trainer.max_epochs))
            interval = "epoch"
        else:
            total_steps = int(self.trainer.estimated_stepping_batches)
            scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=hp.learning_rate, total_steps=total_steps)
            interval = "step"
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": interval}}
