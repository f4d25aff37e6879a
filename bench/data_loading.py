"""Benchmark: lesson 2's per-image path (PIL -> ToTensor -> Normalize, default collate) against the in-memory path.

    python bench/data_loading.py [--data-source standin|real|auto] [--batch-size 64] [--repeats 5]

Both read the same training set, alternately in one run; each keeps its best epoch. The ratio is the result
to compare across machines.
"""

from __future__ import annotations

import argparse

import torch
from torch.utils.data import DataLoader

from helpers.data.datamodule import default_transform
from helpers.data.fashion_mnist import DATA_SOURCES, prepare_fashion_mnist
from helpers.data.in_memory import InMemoryFashionMNIST, keep_batch
from helpers.data.throughput import compare_throughput, throughput_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-source", default="standin", choices=DATA_SOURCES)
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data = prepare_fashion_mnist(args.data_dir, args.data_source)
    print(data.describe())

    def seeded() -> torch.Generator:
        return torch.Generator().manual_seed(0)

    per_image = DataLoader(
        data.dataset(transform=default_transform()), args.batch_size, shuffle=True, generator=seeded()
    )
    in_memory = DataLoader(
        InMemoryFashionMNIST(data.dataset()), args.batch_size, shuffle=True, collate_fn=keep_batch, generator=seeded()
    )
    rates = compare_throughput({"per-image": per_image, "in-memory": in_memory}, repeats=args.repeats)
    print(throughput_table(rates))


if __name__ == "__main__":
    main()
