"""Lesson 7: reference solutions."""

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from pytorch_lightning.loggers import CSVLogger
from pytorch_lightning.tuner import Tuner
from torch.utils.data import DataLoader, TensorDataset


def build_trainer(run_dir, max_epochs):
    """A Trainer that stops early on val_loss, keeps the best (val_acc) and the last checkpoint, logs to CSV."""
    callbacks = [
        EarlyStopping(monitor="val_loss", mode="min", patience=2),
        ModelCheckpoint(dirpath=f"{run_dir}/checkpoints", monitor="val_acc", mode="max", save_last=True),
    ]
    return pl.Trainer(max_epochs=max_epochs, callbacks=callbacks, logger=CSVLogger(run_dir), enable_progress_bar=False)


def per_class_accuracy(matrix):
    """Right predictions (the diagonal) over each true class's count; 0 where a class has no image."""
    counts = matrix.sum(dim=1)
    return matrix.diagonal().float() / counts.clamp(min=1).float()


def find_learning_rate(model, datamodule):
    """Lightning's learning-rate finder from 1e-4 to 1e-1 in 30 steps; its suggestion becomes hparams.learning_rate."""
    trainer = pl.Trainer(accelerator="cpu", logger=False, enable_checkpointing=False, enable_progress_bar=False)
    finder = Tuner(trainer).lr_find(model, datamodule=datamodule, min_lr=1e-4, max_lr=1e-1, num_training=30)
    model.hparams.learning_rate = finder.suggestion()
    return model.hparams.learning_rate


class DtypeProbe(pl.LightningModule):
    """A linear layer that notes its weight's dtype and its output's dtype inside training_step."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 2)

    def training_step(self, batch, batch_idx):
        features, labels = batch
        logits = self.layer(features)
        self.dtypes = (self.layer.weight.dtype, logits.dtype)
        return F.cross_entropy(logits.float(), labels)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def dtypes_in_step(precision):
    """Fit DtypeProbe one step with Trainer(precision=precision); the dtypes it saw inside training_step."""
    data = TensorDataset(torch.randn(8, 4), torch.randint(0, 2, (8,)))
    model = DtypeProbe()
    trainer = pl.Trainer(
        precision=precision,
        max_steps=1,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, DataLoader(data, batch_size=4))
    return model.dtypes


def evaluate_best(trainer, model, datamodule):
    """The test metrics of the best checkpoint the Trainer's ModelCheckpoint kept, not of the weights in memory."""
    return trainer.test(datamodule=datamodule, ckpt_path="best", verbose=False)[0]
