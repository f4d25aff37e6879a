"""Lesson 3's exercises: a DataModule with a seeded split by fraction, prepare_data that sets no state, and a split
whose two sides have transforms of their own."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from helpers.exercises import Verdict, Wrong, expect, verdict


class _Rows(Dataset):
    """100 rows as dicts; row i's features hold the number i, so a batch shows which rows it took."""

    def __len__(self) -> int:
        return 100

    def __getitem__(self, index: int) -> dict:
        return {"features": torch.full((3,), float(index)), "target": torch.tensor(index % 2)}


def _rows_of(rows: DataLoader | Dataset) -> list[int]:
    """The row numbers (the first feature) a loader yields or a dataset holds, in order."""
    batches = rows if isinstance(rows, DataLoader) else [rows[i] for i in range(len(rows))]
    return [int(value) for batch in batches for value in torch.atleast_2d(batch["features"])[:, 0]]


def check_tabular_datamodule(tabular_datamodule: type[pl.LightningDataModule]) -> Verdict:
    """``tabular_datamodule(dataset, batch_size, val_fraction, seed)``: after ``setup("fit")``, ``train_set`` and
    ``val_set`` split ``dataset`` by ``val_fraction``, the same way for the same seed; the train loader shuffles
    ``train_set`` in batches of ``batch_size``, the validation loader yields ``val_set`` in its order."""

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
        expect(val != _rows_of(fitted(1).val_dataloader()), "seeds 0 and 1 gave the same split: use the seed")
        expect(len(fitted(0, 0.5).val_set) == 50, "val_fraction=0.5 did not give 50 validation rows")
        expect(val == _rows_of(module.val_set), "the validation loader shuffles val_set: keep shuffle=False there")
        expect(train != _rows_of(module.train_set), "the train loader yields train_set in order: shuffle=True")
        batch = len(next(iter(module.train_dataloader()))["features"])
        expect(batch == 16, f"a train batch holds {batch} rows for batch_size=16: pass batch_size to the loaders")
        return "a seeded 80/20 split, a shuffled train loader and an ordered validation loader"

    return verdict("TabularDataModule", checks)


def _numeric(line: str) -> bool:
    """Whether a CSV line holds only numbers."""
    try:
        [float(value) for value in line.split(",")]
    except ValueError:
        return False
    return True


def _write_known_rows(csv: Path) -> np.ndarray:
    """Overwrite ``csv`` (as prepare_data wrote it: same columns, a header line kept) with 50 known rows, and return
    them: row i holds ``i + column / 10`` in each feature column and ``i % 2`` in the last, the target."""
    lines = csv.read_text().splitlines()
    header = lines[:1] if lines and not _numeric(lines[0]) else []
    expect(len(lines) > len(header), "prepare_data() wrote an empty table.csv: write the rows into it")
    first = lines[len(header)]
    expect(_numeric(first), "table.csv is not numbers and commas: numpy.savetxt(path, rows, delimiter=',')")
    columns = len(first.split(","))
    expect(columns >= 2, "table.csv needs feature columns and the target in the last column")
    table = np.arange(50)[:, None] + np.arange(columns) / 10
    table[:, -1] = np.arange(50) % 2
    np.savetxt(csv, table, delimiter=",", header="".join(header), comments="")
    return table


def check_csv_datamodule(csv_datamodule: type[pl.LightningDataModule]) -> Verdict:
    """``csv_datamodule(folder, batch_size)``: ``prepare_data`` writes ``folder/table.csv`` once (as on one process
    per machine); ``setup("fit")`` reads it, also on a fresh module whose ``prepare_data`` never ran, and splits its
    rows into ``train_set`` and ``val_set``."""

    def checks() -> str:
        with tempfile.TemporaryDirectory() as folder:
            csv = Path(folder) / "table.csv"
            csv_datamodule(folder, batch_size=8).prepare_data()
            expect(csv.is_file(), "prepare_data() did not write table.csv in the folder")
            written = csv.stat().st_mtime_ns
            csv_datamodule(folder, batch_size=8).prepare_data()
            expect(csv.stat().st_mtime_ns == written, "a second prepare_data() rewrote table.csv: write it only once")
            table = _write_known_rows(csv)  # setup must read these, not rows of its own
            other_process = csv_datamodule(folder, batch_size=8)  # like another GPU's process: prepare_data not run
            other_process.setup("fit")
            split = [getattr(other_process, name, None) for name in ("train_set", "val_set")]
            expect(
                None not in split, "setup() must set train_set and val_set (on a fresh module too): read the CSV there"
            )
            sizes = [len(rows) for rows in split]
            expect(
                sum(sizes) == len(table) and 0 not in sizes,
                f"train_set and val_set hold {sizes[0]} + {sizes[1]} rows, but table.csv {len(table)}: "
                "split table.csv's rows between them",
            )
            items = [rows[i] for rows in split for i in range(len(rows))]
            expect(
                all(isinstance(item, dict) and sorted(item) == ["features", "target"] for item in items),
                "rows must be dicts of 'features' and 'target'",
            )
            features = torch.stack([torch.as_tensor(item["features"], dtype=torch.float64) for item in items])
            targets = torch.stack([torch.as_tensor(item["target"]) for item in items])
            order = features[:, 0].argsort()
            read = features.shape == (len(table), table.shape[1] - 1) and torch.allclose(
                torch.column_stack([features[order], targets[order]]).double(), torch.from_numpy(table), atol=1e-5
            )
            expect(read, "the rows are not table.csv's: read it in setup (features: every column but the last)")
            expect(targets.dtype == torch.long, f"'target' is {targets.dtype}: make it a torch.long tensor")
            batch = next(iter(other_process.train_dataloader()))
            expect(isinstance(batch, dict), "train batches must be dicts of 'features' and 'target'")
            expect(len(batch["features"]) == 8, f"a train batch holds {len(batch['features'])} rows, not 8")
        return f"table.csv written once by prepare_data; setup alone read its {len(table)} rows, split {sizes}"

    return verdict("CsvDataModule", checks)


class _Images(Dataset):
    """20 pairs ``(image, label)`` as torchvision's datasets give them: image i holds the number i, its label is i,
    and ``transform`` (None at first) is applied to the image in ``__getitem__``."""

    def __init__(self) -> None:
        self.transform = None

    def __len__(self) -> int:
        return 20

    def __getitem__(self, index: int) -> tuple[object, int]:
        image = torch.full((2,), float(index))
        return (self.transform(image) if self.transform is not None else image), index


class _Marker:
    """A transform that tags an image with its name, so the checker sees which transform an item went through."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, image: torch.Tensor) -> tuple[str, torch.Tensor]:
        return self.name, image

    def __repr__(self) -> str:
        return f"{self.name}_transform"


_SHARED = (
    "both Subsets of one random_split read the same dataset, so they share its one transform: setting it for one "
    "side sets it for both. Give each side its own: a small Dataset that applies a transform to a Subset's items, "
    "or a copy of the dataset (copy.copy) per side"
)


def _transforms_seen(items: list, expected: str, side: str, shared: bool) -> None:
    """Check that every item of ``side`` went through the ``expected`` transform (and only it); ``shared``: the
    dataset's own transform was set, so both sides may be reading it."""
    seen = {
        image[0] if isinstance(image, tuple) and image and isinstance(image[0], str) else None for image, _ in items
    }
    if seen == {expected}:
        return
    other = "eval" if expected == "train" else "train"
    why = _SHARED if shared else f"give them {expected}_transform"
    expect(other not in seen, f"{side} items go through {other}_transform: {why}")
    raise Wrong(f"{side} items are not transformed: apply {expected}_transform to their images")


def check_split_with_transforms(split_with_transforms: Callable[..., tuple[Dataset, Dataset]]) -> Verdict:
    """``split_with_transforms(dataset, val_size, seed, train_transform, eval_transform)`` returns ``(train_set,
    val_set)``: ``val_size`` items for validation and the rest for training, split at random the same way for the
    same seed; training items go through ``train_transform``, validation items through ``eval_transform`` (each
    applied to the image, as the dataset's own ``transform`` would), and ``dataset`` is left unchanged."""

    def checks() -> str:
        def split(seed: int, val_size: int = 6) -> tuple[_Images, list[list]]:
            dataset = _Images()
            sides = split_with_transforms(dataset, val_size, seed, _Marker("train"), _Marker("eval"))
            expect(isinstance(sides, tuple | list) and len(sides) == 2, "return two datasets: (train_set, val_set)")
            return dataset, [[side[i] for i in range(len(side))] for side in sides]

        dataset, (train, val) = split(0)
        sizes = (len(train), len(val))
        expect(sizes == (14, 6), f"val_size=6 of 20 items gave train/val sizes {sizes}, expected (14, 6)")
        pairs = all(isinstance(item, tuple | list) and len(item) == 2 and type(item[1]) is int for item in train + val)
        expect(pairs, "items must stay the dataset's (image, label) pairs: apply the transform to the image only")
        labels = [label for _, label in train + val]
        expect(sorted(labels) == list(range(20)), "training and validation items overlap or miss some items")
        shared = dataset.transform is not None
        _transforms_seen(val, "eval", "validation", shared)
        _transforms_seen(train, "train", "training", shared)
        expect(
            dataset.transform is None,
            f"the dataset given now has transform={dataset.transform!r}: leave it unchanged (wrap it, or copy it)",
        )
        val_labels = sorted(label for _, label in val)
        expect(
            val_labels == sorted(label for _, label in split(0)[1][1]),
            "the same seed gave another split: split with generator=torch.Generator().manual_seed(seed)",
        )
        expect(val_labels != sorted(label for _, label in split(1)[1][1]), "seeds 0 and 1 gave the same split: use it")
        smaller = len(split(0, val_size=3)[1][1])
        expect(smaller == 3, f"val_size=3 gave {smaller} validation items: take val_size items for validation")
        return "a seeded 14/6 split, train_transform on training items only, eval_transform on validation items only"

    return verdict("split_with_transforms", checks)
