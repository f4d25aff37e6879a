"""Benchmark: the article's per-image PIL -> ToTensor path against the in-memory per-batch path (lesson 2).

    python bench/data_loading.py [--source standin|real|auto] [--batch-size 64] [--repeats 5]

Both paths read the same training set, alternately in one run; each keeps its best epoch. The ratio
is the result to compare across machines.
"""

from __future__ import annotations

import argparse

from helpers.data import prepare_fashion_mnist
from helpers.loading import compare_loading


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="standin", choices=("auto", "real", "standin"))
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    files = prepare_fashion_mnist(args.data_dir, args.source)
    print(files.describe())
    print(compare_loading(files, batch_size=args.batch_size, repeats=args.repeats).table())


if __name__ == "__main__":
    main()
