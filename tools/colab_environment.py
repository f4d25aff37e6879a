"""Which of a Colab image's packages the rehearsal installs, at the manifest's versions.

Not the whole image (hundreds of packages, some only Colab has), but everything the lessons can meet:
the notebook front end and the packages the course imports (:data:`FRONT_END`), the image's PyTorch
(:data:`PYTORCH`), what the course's helpers require, the packages Lightning uses when they are installed
(:func:`optional_packages`, read from Lightning's own source: ``rich`` switches its progress bar and model
summary), and the preinstalled packages the first cell's install resolves to; then all their dependencies.
:func:`choose_packages` resolves that with every manifest package held to its version.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from tools.colab_manifests import Manifest, canonical
from tools.colab_resolution import (
    CUDA_PREFIXES,
    compile_requirements,
    first_cell_installs,
    python_version,
    registry_pins,
)
from tools.paths import ROOT

FRONT_END = (
    "ipython", "ipykernel", "jupyter-client", "ipywidgets", "widgetsnbextension", "tqdm", "rich", "numpy",
    "matplotlib", "pandas", "scikit-learn", "pillow", "requests", "pip", "setuptools", "wheel",
)  # fmt: skip
PYTORCH = ("torch", "torchvision", "torch-xla", "libtpu")
LIGHTNING = ("pytorch_lightning", "lightning_fabric")  # their optional packages count (not torchmetrics' domains)
AVAILABILITY = re.compile(r"(?:RequirementCache|module_available|package_available)\(\s*[\"']([A-Za-z0-9_.-]+)")


def optional_packages(sources: Iterable[str]) -> set[str]:
    """The packages that source code checks for (``RequirementCache("rich")``, ``module_available("omegaconf")``,
    version specifiers dropped), as canonical names."""
    return {canonical(name) for text in sources for name in AVAILABILITY.findall(text)}


def lightning_sources() -> list[str]:
    """The source text of this environment's Lightning packages (empty where they are not installed)."""
    texts = []
    for module in LIGHTNING:
        spec = importlib.util.find_spec(module)
        for folder in spec.submodule_search_locations or [] if spec else []:
            texts += [path.read_text(errors="replace") for path in Path(folder).rglob("*.py")]
    return texts


def helpers_requirements() -> list[str]:
    """The course package's own requirements (pyproject.toml), names only."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [canonical(re.split(r"[<>=!~ ;\[]", dependency)[0]) for dependency in dependencies]


def seeds(manifest: Manifest, first_cell: Iterable[str], optional: Iterable[str]) -> list[str]:
    """The manifest packages the environment starts from: front end, PyTorch, the helpers' requirements, Lightning's
    optional packages and the preinstalled packages of the first cell's resolution (``first_cell``)."""
    wanted = {canonical(name) for name in (*FRONT_END, *PYTORCH, *helpers_requirements(), *optional, *first_cell)}
    return sorted(name for name in wanted if name in manifest.packages and not name.startswith(CUDA_PREFIXES))


def choose_packages(manifest: Manifest, python: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """``({name: version} to install, {name: why left out})``: :func:`seeds` and their dependencies, every manifest
    package at its version (the registry's build of it; CUDA libraries as the registry's torch needs them)."""
    pins, left_out = registry_pins(manifest)
    python = python or python_version(manifest)
    first_cell = compile_requirements(first_cell_installs(manifest), pins, python)
    chosen = seeds(manifest, first_cell, optional_packages(lightning_sources()))
    held = {name: version for name, version in pins.items() if not name.startswith(CUDA_PREFIXES)}
    return compile_requirements(
        [f"{name}=={held[name]}" for name in chosen if name in held], {}, python, held
    ), left_out
