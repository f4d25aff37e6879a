"""Lesson 1's exercises: a Fashion-MNIST dataset returning dicts, and a standardized tabular dataset."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.datasets import make_classification
from torch.utils.data import Dataset

from helpers.data.facts import CLASS_NAMES
from helpers.exercises import Verdict, expect, verdict


def check_fashion_dicts(fashion_dicts: type[Dataset], source: Dataset) -> Verdict:
    """``fashion_dicts(source)`` holds one sample per image of ``source`` (a FashionMNIST with ``ToTensor``)
    and returns ``{"image": float [1, 28, 28], "label": long scalar tensor, "name": class name}``."""

    def checks() -> str:
        dataset = fashion_dicts(source)
        expect(len(dataset) == len(source), f"len() is {len(dataset)}, but the source holds {len(source)} images")
        for index in (0, len(source) - 1):
            sample, (image, label) = dataset[index], source[index]
            expect(isinstance(sample, dict), f"item {index} is a {type(sample).__name__}, not a dict")
            keys = sorted(sample)
            expect(keys == ["image", "label", "name"], f"item {index} has keys {keys}: use 'image', 'label', 'name'")
            same_image = torch.is_tensor(sample["image"]) and torch.equal(sample["image"], image)
            expect(same_image, f"item {index}'s 'image' is not the source's image tensor")
            is_long = torch.is_tensor(sample["label"]) and sample["label"].dtype == torch.long
            expect(is_long, "'label' must be a torch.long tensor, e.g. torch.tensor(label)")
            expect(int(sample["label"]) == label, f"item {index}'s label is {int(sample['label'])}, not {label}")
            name = CLASS_NAMES[label]
            expect(sample["name"] == name, f"item {index}'s name is {sample['name']!r}, not {name!r}")
        return f"{len(dataset):,} samples, each a dict of image, label and class name"

    return verdict("FashionDicts", checks)


def check_standardized_table(standardized_table: type[Dataset]) -> Verdict:
    """``standardized_table(X, y)`` standardizes every feature with the mean and std of ``X`` and keeps them as
    ``stats``; ``standardized_table(X2, y2, stats=train.stats)`` standardizes with another dataset's stats. ``X``
    itself stays unchanged."""

    def checks() -> str:
        X, y = make_classification(n_samples=400, n_features=6, random_state=0)
        X = X * [1, 10, 100, 0.1, 5, 2] + [3, -2, 50, 0, 1, 7]  # features on very different scales
        given = X.copy()
        train = standardized_table(X[:300], y[:300])
        expect(np.array_equal(X, given), "standardizing changed the array it was given: work on a copy (torch.tensor)")
        expect(len(train) == 300, f"len() is {len(train)} for 300 rows")
        keys = sorted(train[0])
        expect(keys == ["features", "target"], f"items have keys {keys}: use 'features' and 'target'")
        features = torch.stack([train[i]["features"] for i in range(len(train))])
        expect(features.dtype == torch.float32, f"features are {features.dtype}, expected torch.float32")
        expect(bool(features.mean(0).abs().max() < 1e-4), "the training features' means are not 0 after standardizing")
        spread = features.std(0, unbiased=False)  # a sample std (unbiased) gives 0.9983 here: both are fine
        expect(bool((spread - 1).abs().max() < 3e-3), "the training features' standard deviations are not 1")
        expect(hasattr(train, "stats"), "keep the (mean, std) you used in an attribute named stats")
        mean, std = (torch.as_tensor(value, dtype=torch.float32) for value in train.stats)
        rows = torch.as_tensor(X[:300], dtype=torch.float32)
        stds = (rows.std(0, unbiased=False), rows.std(0))
        kept = torch.allclose(mean, rows.mean(0), atol=1e-6) and any(torch.allclose(std, s, rtol=1e-4) for s in stds)
        expect(kept, "stats must be (mean, std) of the training rows, one value per feature")
        test = standardized_table(X[300:], y[300:], stats=train.stats)
        expected = (torch.as_tensor(X[300], dtype=torch.float32) - mean) / std
        same = torch.allclose(test[0]["features"], expected, atol=1e-5)
        expect(same, "a dataset given stats= must standardize with those, not with its own rows' mean and std")
        expect(int(test[0]["target"]) == y[300], "standardizing changed a row's target")
        return "features standardized with the training rows' mean and std, reused for other rows"

    return verdict("StandardizedTable", checks)
