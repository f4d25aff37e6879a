"""The IDX file format that (Fashion-)MNIST ships in: write it, and check a file before torchvision reads it.

Layout: a 4-byte big-endian magic ``0x0000 <type> <ndim>`` then ``ndim`` big-endian uint32 sizes,
then the data. The course only needs unsigned bytes (type ``0x08``).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

UBYTE = 0x08


class CorruptIdxFileError(ValueError):
    """An IDX file is truncated, has a bad header, or holds the wrong shape."""


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file, atomically (a reader never sees a half-written file)."""
    if array.dtype != np.uint8:
        raise TypeError(f"write_idx writes uint8 arrays only, got {array.dtype}")
    if not 1 <= array.ndim <= 3:
        raise ValueError(f"IDX files here hold 1 to 3 dimensions, got {array.ndim}")
    header = struct.pack(">BBBB", 0, 0, UBYTE, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(header)
        f.write(np.ascontiguousarray(array).tobytes())
    os.replace(tmp, path)


def idx_shape(path: Path) -> tuple[int, ...]:
    """Return the shape an IDX file declares, after checking header and size; raise CorruptIdxFileError if bad."""
    fix = "Delete it and run again to regenerate (stand-in) or re-download (real data)."
    size = path.stat().st_size
    with open(path, "rb") as f:
        magic = f.read(4)
        if len(magic) < 4 or magic[0:2] != b"\x00\x00" or magic[2] != UBYTE or not 1 <= magic[3] <= 3:
            raise CorruptIdxFileError(f"{path.name}: not an unsigned-byte IDX file (bad header). {fix}")
        ndim = magic[3]
        dims = f.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise CorruptIdxFileError(f"{path.name}: truncated inside its header. {fix}")
    shape = struct.unpack(f">{ndim}I", dims)
    expected = 4 + 4 * ndim + int(np.prod(shape))
    if size != expected:
        raise CorruptIdxFileError(
            f"{path.name}: {size} bytes, but its header promises {expected} (shape {shape}); "
            f"the file is truncated or corrupt. {fix}"
        )
    return shape
