"""Lesson 4: reference solutions."""

import time

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping
from torch.nn import functional as F

from helpers.model import FashionCNN


class TimeBudget(pl.Callback):
    """Stop a fit at the end of the first batch that ends ``seconds`` or more after training started."""

    def __init__(self, seconds):
        self.seconds = seconds

    def on_train_start(self, trainer, pl_module):
        self.start = time.monotonic()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if time.monotonic() - self.start >= self.seconds:
            trainer.should_stop = True


early_stop = EarlyStopping(monitor="val_acc", mode="max", min_delta=0.005, patience=3)


class SGDFashionCNN(FashionCNN):
    """The lesson's model, trained with SGD and a StepLR halving the learning rate every 2 epochs."""

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=self.hparams.learning_rate, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}


def evaluate(network, loader):
    """Mean cross-entropy and accuracy over all the loader's images, in eval mode without gradients."""
    network.eval()
    total_loss, right, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = network(images)
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            right += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    network.train()
    return total_loss / seen, right / seen


def quick_check_trainer():
    """1 training batch, 1 validation batch, then stop; no logs, no checkpoints."""
    return pl.Trainer(fast_dev_run=True, enable_progress_bar=False)
