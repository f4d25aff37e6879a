"""Lesson 3: reference solutions."""

from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, Dataset, random_split


class TabularDataModule(pl.LightningDataModule):
    """Any dataset of dict rows, split by a fraction with a seeded generator."""

    def __init__(self, dataset, batch_size=32, val_fraction=0.2, seed=0):
        super().__init__()
        self.dataset = dataset
        self.batch_size = batch_size
        self.val_fraction = val_fraction
        self.seed = seed

    def setup(self, stage=None):
        fractions = [1 - self.val_fraction, self.val_fraction]
        generator = torch.Generator().manual_seed(self.seed)
        self.train_set, self.val_set = random_split(self.dataset, fractions, generator=generator)

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)


class _Rows(Dataset):
    def __init__(self, table):
        self.features = torch.as_tensor(table[:, :-1], dtype=torch.float32)
        self.targets = torch.as_tensor(table[:, -1], dtype=torch.long)

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return {"features": self.features[index], "target": self.targets[index]}


class CsvDataModule(pl.LightningDataModule):
    """prepare_data writes folder/table.csv once; setup reads it (and sets all the state)."""

    def __init__(self, folder, batch_size=32):
        super().__init__()
        self.csv = Path(folder) / "table.csv"
        self.batch_size = batch_size

    def prepare_data(self):
        if not self.csv.exists():
            X, y = make_classification(n_samples=200, n_features=5, random_state=0)
            np.savetxt(self.csv, np.column_stack([X, y]), delimiter=",")

    def setup(self, stage=None):
        rows = _Rows(np.loadtxt(self.csv, delimiter=","))
        self.train_set, self.val_set = random_split(rows, [0.8, 0.2], generator=torch.Generator().manual_seed(0))

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)


class Transformed(Dataset):
    """The (image, label) items of ``items`` (a Subset), with ``transform`` applied to each image."""

    def __init__(self, items, transform):
        self.items = items
        self.transform = transform

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        image, label = self.items[index]
        return self.transform(image), label


def split_with_transforms(dataset, val_size, seed, train_transform, eval_transform):
    """A seeded split; each side applies its own transform (the dataset's own transform is left alone)."""
    generator = torch.Generator().manual_seed(seed)
    train_items, val_items = random_split(dataset, [len(dataset) - val_size, val_size], generator=generator)
    return Transformed(train_items, train_transform), Transformed(val_items, eval_transform)
