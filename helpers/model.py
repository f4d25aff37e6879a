"""Lesson 4's Fashion-MNIST ``LightningModule``, packaged for lessons 5-8 (a test checks both train alike).

The article's network, corrected: three conv+pool blocks shrink 28x28 to 3x3, then three linear layers
map the features to 10 class scores. The article's first convolution already took 1 input channel; only
its ``# 28 * 28 * 3`` comment was wrong. Beyond what lesson 4 writes, this copy can also train with SGD
(lesson 5) and a OneCycle schedule, and checks its arguments.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
from torch import nn
from torch.nn import functional as F

from helpers.course.params import check, number, one_of
from helpers.data.facts import IMAGE_SHAPE, NUM_CLASSES

OPTIMIZERS = ("adam", "sgd")
SCHEDULERS = (None, "step", "cosine", "onecycle")

Batch = tuple[torch.Tensor, torch.Tensor]


def check_hparams(learning_rate: float, optimizer: str, scheduler: str | None, momentum: float) -> None:
    """Raise :class:`~helpers.course.params.ParameterError` saying what to use when an argument cannot train."""
    check("learning_rate", learning_rate, number(above=0, example=1e-3))
    check("optimizer", optimizer, one_of(*OPTIMIZERS))
    check("scheduler", scheduler, one_of(*SCHEDULERS))
    check("momentum", momentum, number(minimum=0, below=1, example=0.9))


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The share of the batch whose highest score is the right class.

    Logged ``on_epoch``, Lightning averages it over the epoch weighted by batch size: the exact epoch accuracy.
    """
    return (logits.argmax(dim=1) == labels).float().mean()


class FashionCNN(pl.LightningModule):
    """Three conv+pool blocks and three linear layers; input ``[B, 1, 28, 28]`` float, output ``[B, 10]`` logits.

    Args:
        learning_rate: optimizer step size (> 0).
        scheduler: ``None``, ``"step"`` (halve the LR every epoch), ``"cosine"`` (to 0 over ``max_epochs``)
            or ``"onecycle"`` (per step, over ``trainer.estimated_stepping_batches``; in Lightning 2.6 reading
            that stops a mid-epoch resume from restoring a resumable loader's position, see
            ``helpers.data.resumable``).
        optimizer: ``"adam"`` (lesson 4's) or ``"sgd"`` (with ``momentum``).
        momentum: SGD momentum.
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        scheduler: str | None = None,
        optimizer: str = "adam",
        momentum: float = 0.9,
    ) -> None:
        super().__init__()
        check_hparams(learning_rate, optimizer, scheduler, momentum)
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 28x28 -> 14x14
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # -> 7x7
            nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # -> 3x3
        )  # fmt: skip
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 3 * 3, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, NUM_CLASSES),
        )  # fmt: skip
        self.example_input_array = torch.zeros(1, *IMAGE_SHAPE)  # lets the model summary show tensor sizes

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) for a batch of images ``[B, 1, 28, 28]``."""
        return self.classifier(self.features(images))

    def training_step(self, batch: Batch, batch_idx: int) -> torch.Tensor:
        images, labels = batch
        loss = F.cross_entropy(self(images), labels)
        self.log("train_loss", loss, on_step=True, on_epoch=True)  # each self.log costs every step: log what you use
        return loss

    def validation_step(self, batch: Batch, batch_idx: int) -> None:
        images, labels = batch
        logits = self(images)
        self.log("val_loss", F.cross_entropy(logits, labels))
        self.log("val_acc", accuracy(logits, labels))

    def test_step(self, batch: Batch, batch_idx: int) -> None:
        images, labels = batch
        logits = self(images)
        self.log("test_loss", F.cross_entropy(logits, labels))
        self.log("test_acc", accuracy(logits, labels))

    def predict_step(self, batch: Batch, batch_idx: int) -> torch.Tensor:
        """Predicted class indices (the labels in the batch are ignored)."""
        images, _ = batch
        return self(images).argmax(dim=1)

    def configure_optimizers(self) -> Any:
        hp = self.hparams
        if hp.optimizer == "adam":
            # fused: one update kernel on CPU and GPU, with an exactly rounded square root (XLA has no fused Adam)
            optimizer = torch.optim.Adam(self.parameters(), lr=hp.learning_rate, fused=self.device.type != "xla")
        else:
            optimizer = torch.optim.SGD(self.parameters(), lr=hp.learning_rate, momentum=hp.momentum)
        if hp.scheduler is None:
            return optimizer
        if hp.scheduler == "step":
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        elif hp.scheduler == "cosine":
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, self.trainer.max_epochs))
        else:
            total_steps = int(self.trainer.estimated_stepping_batches)
            scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=hp.learning_rate, total_steps=total_steps)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
        return {"optimizer": optimizer, "lr_scheduler": scheduler}
