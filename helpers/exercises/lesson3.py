"""Lesson 3's exercises: a DataModule with a seeded split by fraction, and prepare_data that sets no state."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from helpers.exercises import Verdict, expect, verdict


class _Rows(Dataset):
    """100 rows as dicts; row i's features hold the number i, so a batch shows which rows it took."""

    def __len__(self) -> int:
        return 100

    def __getitem__(self, index: int) -> dict:
        return {"features": torch.full((3,), float(index)), "target": torch.tensor(index % 2)}


def _rows_of(loader: DataLoader) -> list[int]:
    return [int(value) for batch in loader for value in batch["features"][:, 0]]


def check_tabular_datamodule(tabular_datamodule: type[pl.LightningDataModule]) -> Verdict:
    """``tabular_datamodule(dataset, batch_size, val_fraction, seed)``: after ``setup("fit")``, ``train_set`` and
    ``val_set`` split ``dataset`` by ``val_fraction``, the same way for the same seed; the train loader shuffles,
    the validation loader does not."""

    def checks() -> str:
        def fitted(seed: int, fraction: float = 0.2) -> pl.LightningDataModule:
            module = tabular_datamodule(_Rows(), batch_size=16, val_fraction=fraction, seed=seed)
            module.setup("fit")
            return module

        module = fitted(0)
        sizes = (len(module.train_set), len(module.val_set))
        expect(sizes == (80, 20), f"val_fraction=0.2 of 100 rows gave train/val sizes {sizes}, expected (80, 20)")
        train, val = _rows_of(module.train_dataloader()), _rows_of(module.val_dataloader())
        expect(sorted(train + val) == list(range(100)), "train and validation rows overlap or miss some rows")
        expect(val == _rows_of(fitted(0).val_dataloader()), "the same seed gave another split: seed random_split")
        expect(val != _rows_of(fitted(1).val_dataloader()), "seeds 0 and 1 gave the same split")
        expect(len(fitted(0, 0.5).val_set) == 50, "val_fraction=0.5 did not give 50 validation rows")
        expect(_rows_of(module.val_dataloader()) == val, "the validation order changes between passes: don't shuffle")
        expect(train != sorted(train), "the train loader yields rows in order: shuffle it")
        return "a seeded 80/20 split, a shuffled train loader and an ordered validation loader"

    return verdict("TabularDataModule", checks)


def check_csv_datamodule(csv_datamodule: type[pl.LightningDataModule]) -> Verdict:
    """``csv_datamodule(folder, batch_size)``: ``prepare_data`` writes ``folder/table.csv`` once (as on one process
    per machine); ``setup("fit")`` reads it, also on a fresh module whose ``prepare_data`` never ran."""

    def checks() -> str:
        with tempfile.TemporaryDirectory() as folder:
            csv = Path(folder) / "table.csv"
            csv_datamodule(folder, batch_size=8).prepare_data()
            expect(csv.is_file(), "prepare_data() did not write table.csv in the folder")
            written = csv.stat().st_mtime_ns
            csv_datamodule(folder, batch_size=8).prepare_data()
            expect(csv.stat().st_mtime_ns == written, "a second prepare_data() rewrote table.csv: write it only once")
            other_process = csv_datamodule(folder, batch_size=8)  # like another GPU's process: prepare_data not run
            other_process.setup("fit")
            batch = next(iter(other_process.train_dataloader()))
            expect(
                isinstance(batch, dict) and sorted(batch) == ["features", "target"],
                "train batches must be dicts of 'features' and 'target'",
            )
            expect(len(batch["features"]) == 8, f"a train batch holds {len(batch['features'])} rows, not 8")
            rows = len(other_process.train_set) + len(other_process.val_set)
        return f"table.csv written once by prepare_data; setup alone read its {rows} rows"

    return verdict("CsvDataModule", checks)
