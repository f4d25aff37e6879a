"""What the lessons' first cell would change on a Colab image, resolved (not installed) against its whole manifest.

``python -m tools.colab_resolution [--image tpu cpu gpu]`` asks uv (``uv pip compile``, Python and platform of
Colab's runtime) what the first cell's ``pip install`` would install into the image: its requirements
(:func:`first_cell_installs`, decided by :mod:`helpers.course.colab` from the image's versions) resolved with
every package of the manifest preferred at the manifest's version, as pip keeps an installed package that
satisfies the requirements. It prints each preinstalled package the install would change and what it would add.
Exit status 1 when it would change torch, torchvision or torch_xla, or when there is no resolution.

Packages the registry does not serve are left out of the preferences, each with its reason
(:func:`registry_pins`); Colab's own builds of PyTorch are taken at the registry's build of the same release.
Like pip, the resolution does not check the requirements of preinstalled packages outside the install's
dependencies (that would need the metadata of every package of the image); :mod:`tools.colab_rehearsal`
runs ``pip check`` after the real install on the packages it has.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from helpers.course.colab import LIGHTNING_FLOOR, TPU_TRIO, at_least, same_release
from tools.colab_manifests import IMAGES, Manifest, canonical, load, release
from tools.paths import ROOT
from tools.resolve_platforms import reason, uv_binary

PLATFORM = "x86_64-manylinux_2_35"  # Colab's runtimes: Ubuntu 22.04 (glibc 2.35) on x86-64
# Colab installs its PyTorch from these hosts (its CPU and TPU builds); the registry has the same releases.
PYTORCH_HOSTS = ("download.pytorch.org", "storage.googleapis.com")
GUARDED = ("torch", "torchvision", "torch-xla")  # the first cell must never change these
CUDA_PREFIXES = ("nvidia-", "cuda-", "triton")  # CUDA libraries (the registry's Linux torch needs some)


def first_cell_installs(manifest: Manifest, requirements: Path = ROOT / "requirements-colab.txt") -> list[str]:
    """What :func:`helpers.course.colab.set_up` installs on ``manifest``'s image, as ``pip install`` arguments:
    the TPU trio on a TPU image whose torch and torch_xla differ, then ``requirements`` unless Lightning is there."""
    torch, xla = manifest.version("torch"), manifest.version("torch-xla")
    arguments = []
    if manifest.image == "tpu" and not same_release(torch and release(torch), xla and release(xla)):
        arguments += TPU_TRIO
    if not at_least(manifest.version("pytorch-lightning"), LIGHTNING_FLOOR):
        arguments += ["-r", str(requirements)]
    return arguments


def left_out_reason(url: str | None, version: str | None) -> str | None:
    """Why a manifest package cannot come from the registry (None when it can)."""
    if url is None:
        return None if version else "no version in the manifest"
    parsed = urlparse(url.removeprefix("git+"))
    if url.startswith("file:"):
        return "Colab's own package, a local file on the image"
    if url.startswith("git+"):
        return f"installed from a git repository ({parsed.netloc}{parsed.path}), not the registry"
    if parsed.netloc in PYTORCH_HOSTS and version:
        return None
    return f"a wheel from {parsed.netloc}, not the registry"


def registry_pins(manifest: Manifest) -> tuple[dict[str, str], dict[str, str]]:
    """``({name: version} the registry serves, {name: why left out})``; PyTorch's builds (``2.9.0+cpu``) are
    taken at their release (``2.9.0``)."""
    pins, left_out = {}, {}
    for key, package in manifest.packages.items():
        why = left_out_reason(package.url, package.version)
        if why:
            left_out[package.name] = why
        else:
            pins[key] = release(package.version) if package.url or "+" in package.version else package.version
    return pins, left_out


class NoResolution(Exception):
    """uv found no set of versions; the message is its reason."""


def compile_requirements(
    arguments: list[str],
    preferred: dict[str, str],
    python: str,
    constraints: dict[str, str] | None = None,
    dropped: Iterable[str] = (),
) -> dict[str, str]:
    """``{name: version}`` that uv resolves for ``pip install`` ``arguments`` on Colab's Python and platform,
    preferring the ``preferred`` versions (uv keeps an existing output file's pins when they fit), held to
    ``constraints``, and without the ``dropped`` packages (an override whose marker is never true removes them)."""
    with tempfile.TemporaryDirectory() as folder:
        requirements, output, pinned, overrides = (
            Path(folder) / name for name in ("in.txt", "out.txt", "constraints.txt", "overrides.txt")
        )
        lines, pending = [], list(arguments)
        while pending:
            argument = pending.pop(0)
            lines.append(f"-r {pending.pop(0)}" if argument == "-r" else argument)
        requirements.write_text("\n".join(lines) + "\n")
        output.write_text("".join(f"{name}=={version}\n" for name, version in preferred.items()))
        pinned.write_text("".join(f"{name}=={version}\n" for name, version in (constraints or {}).items()))
        overrides.write_text("".join(f"{name} ; sys_platform == 'never'\n" for name in dropped))
        command = [
            uv_binary(), "pip", "compile", "--quiet", "--no-header", "--no-annotate", "--python-version", python,
            "--python-platform", PLATFORM, "--constraint", pinned, "--override", overrides, "--output-file", output,
            requirements,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise NoResolution(reason(done.stderr))
        return parse_pins(output.read_text())


def parse_pins(text: str) -> dict[str, str]:
    """``{canonical name: version}`` of the ``name==version`` lines of a compiled requirements file."""
    lines = (line.split(";")[0].strip() for line in text.splitlines())
    return {canonical(name): version for name, _, version in (line.partition("==") for line in lines) if version}


@dataclass
class Plan:
    """What an install does to an image: preinstalled packages it changes (``{name: (before, after)}``) and adds."""

    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    added: dict[str, str] = field(default_factory=dict)

    @property
    def guarded_changes(self) -> list[str]:
        return [
            f"{name} {self.changed[name][0]} -> {self.changed[name][1]}" for name in GUARDED if name in self.changed
        ]


def compare(before: dict[str, str], after: dict[str, str]) -> Plan:
    """The :class:`Plan` taking ``before`` (``{name: version}``) to ``after``; a local build (``2.9.0+cpu``) counts
    as its release, which is what a requirement on it matches."""
    plan = Plan()
    for name, version in sorted(after.items()):
        if name not in before:
            plan.added[name] = version
        elif release(before[name]) != release(version):
            plan.changed[name] = (before[name], version)
    return plan


def python_version(manifest: Manifest) -> str:
    """Colab's Python as major.minor (``3.13.15`` -> ``3.13``)."""
    return ".".join(manifest.python.split(".")[:2])


def resolve_first_cell(manifest: Manifest) -> tuple[Plan, dict[str, str]]:
    """The first cell's :class:`Plan` on ``manifest``'s image, and the packages left out with their reasons.

    The registry's Linux torch needs CUDA libraries that Colab's own builds of torch do not (its CPU builds) or
    has at other versions (its GPU build, from PyTorch's CUDA 12.8 index): a first resolution names them, a
    second leaves them out, so what remains is what the install itself asks for."""
    pins, left_out = registry_pins(manifest)
    arguments, python = first_cell_installs(manifest), python_version(manifest)
    cuda = sorted(name for name in compile_requirements(arguments, pins, python) if name.startswith(CUDA_PREFIXES))
    resolved = compile_requirements(arguments, pins, python, dropped=cuda)
    left_out |= {name: "a CUDA library of the registry's torch (Colab's torch is its own build)" for name in cuda}
    installed = {key: package.version for key, package in manifest.packages.items() if package.version}
    return compare(installed, resolved), left_out


def by_reason(left_out: dict[str, str]) -> str:
    """``{name: why}`` as ``why: name, name; why: name``."""
    reasons: dict[str, list[str]] = {}
    for name, why in sorted(left_out.items()):
        reasons.setdefault(why, []).append(name)
    return "; ".join(f"{why}: {', '.join(names)}" for why, names in reasons.items())


def report(manifest: Manifest, plan: Plan, left_out: dict[str, str]) -> list[str]:
    """The lines :func:`main` prints for one image."""
    installs = " ".join(first_cell_installs(manifest)).replace(f"{ROOT}/", "") or "nothing"
    return [
        f"{manifest.image} image ({len(manifest.packages)} packages, Python {manifest.python}): the first cell "
        f"installs {installs}",
        f"  changes {len(plan.changed)} preinstalled: "
        + (", ".join(f"{name} {old} -> {new}" for name, (old, new) in plan.changed.items()) or "none"),
        f"  adds {len(plan.added)}: " + ", ".join(f"{name} {version}" for name, version in plan.added.items()),
        f"  left out of the resolution ({len(left_out)}): {by_reason(left_out)}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", nargs="*", choices=sorted(IMAGES), default=list(IMAGES))
    args = parser.parse_args()
    failed = 0
    for image in args.image:
        manifest = load(image)
        began = time.perf_counter()
        try:
            plan, left_out = resolve_first_cell(manifest)
        except NoResolution as err:
            print(f"{image} image: FAILED, no resolution: {err}")
            failed += 1
            continue
        print("\n".join(report(manifest, plan, left_out)))
        print(f"  ({time.perf_counter() - began:.0f} s)")
        if plan.guarded_changes:
            print(f"  FAILED: the first cell would change {', '.join(plan.guarded_changes)}")
            failed += 1
    print(f"manifests: {load(args.image[0]).source}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
