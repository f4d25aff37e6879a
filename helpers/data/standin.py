"""An offline, learnable stand-in for Fashion-MNIST, written in the exact on-disk format torchvision reads.

Each class is a garment-like silhouette (a T-shirt has short sleeves, a coat a centre opening,
an ankle boot a shaft and a heel...) drawn with random size, position, rotation, proportions,
texture and noise. Generation is deterministic in ``seed``: the same arguments always give the
same bytes. The look-alike classes (T-shirt / shirt / pullover / coat, sandal / sneaker / boot)
overlap on purpose, so a small CNN learns it well but not perfectly, like the real data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from helpers.data.facts import IMAGE_SHAPE, RAW_FILES
from helpers.data.idx import write_idx

SIDE = IMAGE_SHAPE[-1]
_CANVAS = 2 * SIDE  # drawn at 2x, then downsampled: smooth edges like the real (anti-aliased) images
MANIFEST = "standin.json"

# A shape is (kind, coordinates in the unit square, shade); shade 0 cuts a hole, 1 is full brightness.
Shape = tuple[str, list[tuple[float, float]], float]


@dataclass(frozen=True)
class StandinSpec:
    """What a stand-in on disk was generated from (stored beside the IDX files)."""

    n_train: int
    n_test: int
    seed: int
    version: int = 2  # bump whenever the drawing code changes, so old stand-ins on disk are regenerated


def _torso(rng: np.random.Generator, top: float, bottom: float, half: float) -> list[tuple[float, float]]:
    flare = rng.uniform(-0.03, 0.04)
    return [(0.5 - half, top), (0.5 + half, top), (0.5 + half + flare, bottom), (0.5 - half - flare, bottom)]


def _sleeves(rng: np.random.Generator, top: float, half: float, length: float, droop: float) -> list[Shape]:
    width = rng.uniform(0.09, 0.13)
    shapes = []
    for side in (-1, 1):
        x0 = 0.5 + side * half
        x1 = x0 + side * length * np.cos(droop)
        y1 = top + length * np.sin(droop)
        pts = [(x0, top), (x1, y1), (x1 - side * width * 0.3, y1 + width), (x0, top + width * 1.6)]
        shapes.append(("polygon", pts, 1.0))
    return shapes


def _top_garment(rng: np.random.Generator, sleeve: float, bottom: float, droop: float) -> list[Shape]:
    top, half = rng.uniform(0.14, 0.2), rng.uniform(0.2, 0.25)
    shapes = [("polygon", _torso(rng, top, bottom, half), 1.0)]
    shapes += _sleeves(rng, top, half, sleeve, droop)
    neck = rng.uniform(0.06, 0.09)
    shapes.append(("ellipse", [(0.5 - neck, top - neck * 0.6), (0.5 + neck, top + neck * 0.9)], 0.0))
    return shapes


def _tshirt(rng: np.random.Generator) -> list[Shape]:
    return _top_garment(rng, sleeve=rng.uniform(0.12, 0.18), bottom=rng.uniform(0.78, 0.86), droop=0.5)


def _pullover(rng: np.random.Generator) -> list[Shape]:
    shapes = _top_garment(rng, sleeve=rng.uniform(0.5, 0.6), bottom=rng.uniform(0.8, 0.86), droop=1.2)
    shapes.append(("polygon", [(0.3, 0.78), (0.7, 0.78), (0.7, 0.83), (0.3, 0.83)], 0.75))  # ribbed hem
    return shapes


def _shirt(rng: np.random.Generator) -> list[Shape]:
    shapes = _top_garment(rng, sleeve=rng.uniform(0.45, 0.6), bottom=rng.uniform(0.82, 0.9), droop=1.15)
    shapes.append(("polygon", [(0.42, 0.12), (0.5, 0.3), (0.58, 0.12)], 0.55))  # collar
    shapes += [("ellipse", [(0.49, y), (0.51, y + 0.02)], 0.3) for y in (0.4, 0.52, 0.64, 0.76)]
    return shapes


def _coat(rng: np.random.Generator) -> list[Shape]:
    shapes = _top_garment(rng, sleeve=rng.uniform(0.55, 0.65), bottom=rng.uniform(0.9, 0.96), droop=1.25)
    shapes.append(("polygon", [(0.495, 0.2), (0.505, 0.2), (0.505, 0.95), (0.495, 0.95)], 0.2))  # opening
    shapes.append(("polygon", [(0.3, 0.55), (0.4, 0.55), (0.4, 0.6), (0.3, 0.6)], 0.6))  # pocket
    return shapes


def _trouser(rng: np.random.Generator) -> list[Shape]:
    half, gap = rng.uniform(0.14, 0.2), rng.uniform(0.015, 0.04)
    top, crotch, bottom = rng.uniform(0.06, 0.12), rng.uniform(0.3, 0.4), rng.uniform(0.9, 0.96)
    splay = rng.uniform(0.0, 0.05)
    return [
        ("polygon", [(0.5 - half, top), (0.5 + half, top), (0.5 + half, crotch), (0.5 - half, crotch)], 1.0),
        (
            "polygon",
            [(0.5 - half, crotch), (0.5 - gap, crotch), (0.5 - gap, bottom), (0.5 - half - splay, bottom)],
            1.0,
        ),
        (
            "polygon",
            [(0.5 + gap, crotch), (0.5 + half, crotch), (0.5 + half + splay, bottom), (0.5 + gap, bottom)],
            1.0,
        ),
    ]


def _dress(rng: np.random.Generator) -> list[Shape]:
    top, waist, bottom = rng.uniform(0.08, 0.14), rng.uniform(0.38, 0.46), rng.uniform(0.88, 0.96)
    bodice, hem = rng.uniform(0.1, 0.14), rng.uniform(0.24, 0.34)
    return [
        (
            "polygon",
            [(0.5 - bodice, top), (0.5 + bodice, top), (0.5 + bodice * 0.8, waist), (0.5 - bodice * 0.8, waist)],
            1.0,
        ),
        (
            "polygon",
            [(0.5 - bodice * 0.8, waist), (0.5 + bodice * 0.8, waist), (0.5 + hem, bottom), (0.5 - hem, bottom)],
            1.0,
        ),
        ("ellipse", [(0.5 - bodice * 0.5, top - 0.05), (0.5 + bodice * 0.5, top + 0.06)], 0.0),
    ]


def _footwear(
    rng: np.random.Generator, shaft: float, heel: bool, straps: int, sole: float, rise: float = 0.17
) -> list[Shape]:
    left, right = rng.uniform(0.06, 0.12), rng.uniform(0.88, 0.94)
    floor = rng.uniform(0.66, 0.74)
    top = floor - rise * rng.uniform(0.85, 1.15)
    shapes: list[Shape] = [
        ("polygon", [(left, floor - sole), (right, floor - sole), (right, floor), (left, floor)], 1.0)
    ]
    if straps:
        xs = np.linspace(left + 0.08, right - 0.08, straps)
        shapes += [
            ("polygon", [(x - 0.03, top), (x + 0.03, top), (x + 0.05, floor), (x - 0.01, floor)], 0.85) for x in xs
        ]
    else:
        toe = [(left, floor - sole), (left + 0.1, top + 0.04), (right - 0.25, top), (right, floor - sole)]
        shapes.append(("polygon", toe, 1.0))
        shapes += [("ellipse", [(x, top + 0.05), (x + 0.025, top + 0.075)], 0.35) for x in (0.35, 0.43, 0.51)]
    if shaft:
        shapes.append(
            (
                "polygon",
                [(right - 0.32, floor - shaft), (right, floor - shaft), (right, floor), (right - 0.32, floor)],
                1.0,
            )
        )
    if heel:
        shapes.append(
            (
                "polygon",
                [(right - 0.14, floor), (right, floor), (right, floor + 0.08), (right - 0.12, floor + 0.08)],
                0.9,
            )
        )
    return shapes


def _sandal(rng: np.random.Generator) -> list[Shape]:
    return _footwear(rng, shaft=0.0, heel=bool(rng.random() < 0.3), straps=int(rng.integers(3, 5)), sole=0.05)


def _sneaker(rng: np.random.Generator) -> list[Shape]:
    return _footwear(rng, shaft=0.0, heel=False, straps=0, sole=rng.uniform(0.06, 0.09), rise=0.3)


def _ankle_boot(rng: np.random.Generator) -> list[Shape]:
    return _footwear(rng, shaft=rng.uniform(0.4, 0.5), heel=True, straps=0, sole=0.07)


def _bag(rng: np.random.Generator) -> list[Shape]:
    left, right = rng.uniform(0.1, 0.2), rng.uniform(0.8, 0.9)
    top, bottom = rng.uniform(0.36, 0.46), rng.uniform(0.82, 0.9)
    handle = rng.uniform(0.16, 0.26)
    return [
        ("ellipse", [(0.32, top - handle), (0.68, top + handle)], 0.9),
        ("ellipse", [(0.37, top - handle + 0.05), (0.63, top + handle - 0.05)], 0.0),
        ("polygon", [(left, top), (right, top), (right, bottom), (left, bottom)], 1.0),
        ("polygon", [(left, top + 0.06), (right, top + 0.06), (right, top + 0.09), (left, top + 0.09)], 0.7),
    ]


GARMENTS: tuple[Callable[[np.random.Generator], list[Shape]], ...] = (
    _tshirt,
    _trouser,
    _pullover,
    _dress,
    _coat,
    _sandal,
    _shirt,
    _sneaker,
    _bag,
    _ankle_boot,
)


# Look-alike classes: like real Fashion-MNIST, a few images of one are hard to tell from another.
LOOK_ALIKES = {0: (6, 2), 2: (4, 6), 4: (2, 6), 6: (0, 4), 5: (7,), 7: (5, 9), 9: (7,)}
AMBIGUOUS_FRACTION = 0.06


def render_garment(label: int, rng: np.random.Generator) -> np.ndarray:
    """Draw one 28x28 uint8 image of class ``label`` (0-9, Fashion-MNIST's order) with random variation.

    A small fraction (``AMBIGUOUS_FRACTION``) is drawn with a look-alike class's silhouette, so no
    model can reach 100%.
    """
    shape_of = label
    if label in LOOK_ALIKES and rng.random() < AMBIGUOUS_FRACTION:
        shape_of = int(rng.choice(LOOK_ALIKES[label]))
    scale, angle = rng.uniform(0.78, 1.08), rng.uniform(-12.0, 12.0)
    dx, dy = rng.uniform(-0.07, 0.07, size=2)
    base = rng.uniform(110, 255)
    image = Image.new("L", (_CANVAS, _CANVAS), 0)
    draw = ImageDraw.Draw(image)

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (((x - 0.5) * scale + 0.5 + dx) * _CANVAS, ((y - 0.5) * scale + 0.5 + dy) * _CANVAS)

    for kind, coords, shade in GARMENTS[shape_of](rng):
        points = [to_px(x, y) for x, y in coords]
        fill = int(base * shade)
        if kind == "polygon":
            draw.polygon(points, fill=fill)
        else:
            (x0, y0), (x1, y1) = points
            draw.ellipse([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)], fill=fill)
    image = image.rotate(angle, resample=Image.Resampling.BILINEAR)
    pixels = np.asarray(image.resize((SIDE, SIDE), Image.Resampling.BOX), dtype=np.float32)
    # fabric texture: stripes at a random angle and frequency, only on the garment
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    theta, freq = rng.uniform(0, np.pi), rng.uniform(0.3, 1.6)
    stripes = 1 - rng.uniform(0.0, 0.35) * (0.5 + 0.5 * np.sin(freq * (xx * np.cos(theta) + yy * np.sin(theta))))
    pixels *= stripes
    pixels += rng.normal(0, rng.uniform(6, 40), size=pixels.shape) * (pixels > 8)
    return np.clip(pixels, 0, 255).astype(np.uint8)


def generate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` images (uint8, [n, 28, 28]) and labels (uint8, [n]) with balanced, shuffled classes."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(GARMENTS)).astype(np.uint8)
    images = np.stack([render_garment(int(y), rng) for y in labels]) if n else np.zeros((0, SIDE, SIDE), np.uint8)
    return images, labels


def read_spec(raw_dir: Path) -> StandinSpec | None:
    """The spec a stand-in in ``raw_dir`` was generated from, or None if there is none."""
    try:
        return StandinSpec(**json.loads((raw_dir / MANIFEST).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def write_standin(raw_dir: Path, spec: StandinSpec) -> None:
    """Generate the stand-in into ``raw_dir`` as the four IDX files torchvision's FashionMNIST reads.

    Train and test come from different seeds, so they never share an image.
    """
    if spec.n_train < 1 or spec.n_test < 1:
        raise ValueError(f"the stand-in needs at least 1 train and 1 test image, got {spec.n_train} / {spec.n_test}")
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / MANIFEST).unlink(missing_ok=True)  # written last: an interrupted run leaves no valid-looking mix
    for split, n, seed in (("train", spec.n_train, spec.seed), ("test", spec.n_test, spec.seed + 1_000_003)):
        images, labels = generate(n, seed)
        image_file, label_file = RAW_FILES[split]
        write_idx(raw_dir / image_file, images)
        write_idx(raw_dir / label_file, labels)
    (raw_dir / MANIFEST).write_text(json.dumps(asdict(spec), indent=2) + "\n")
