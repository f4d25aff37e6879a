"""Lesson 6: reference solutions."""

import matplotlib.pyplot as plt
import pytorch_lightning as pl
import torch
from sklearn.metrics import ConfusionMatrixDisplay
from torchmetrics.classification import MulticlassConfusionMatrix

from helpers.model import FashionCNN


class ConfusionMatrixLogger(pl.Callback):
    """After every validation epoch, add the validation confusion matrix to TensorBoard as a figure."""

    def on_validation_epoch_start(self, trainer, pl_module):
        self.matrix = MulticlassConfusionMatrix(num_classes=10).to(pl_module.device)

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        images, labels = batch
        with torch.no_grad():
            self.matrix.update(pl_module(images).argmax(dim=1), labels)

    def on_validation_epoch_end(self, trainer, pl_module):
        figure, ax = plt.subplots(figsize=(5, 5))
        ConfusionMatrixDisplay(self.matrix.compute().cpu().numpy()).plot(ax=ax, colorbar=False)
        trainer.logger.experiment.add_figure("confusion_matrix", figure, global_step=trainer.global_step)
        plt.close(figure)


class ValErrorCNN(FashionCNN):
    """The course model, also logging val_error = 1 - validation accuracy, averaged over each validation epoch."""

    def validation_step(self, batch, batch_idx):
        super().validation_step(batch, batch_idx)
        images, labels = batch
        self.log("val_error", (self(images).argmax(dim=1) != labels).float().mean())
