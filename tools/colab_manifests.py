"""Colab's package manifests: what each runtime image has installed, as Colab publishes it.

``python -m tools.colab_manifests [--source GIT_REPOSITORY]`` (``make colab-manifests``) copies the manifests of
``googlecolab/backend-info`` (``pip-freeze*.txt``, one per image, and ``os-info*.txt``) into ``colab/manifests/``
and records the commit and date they came from in ``colab/manifests/SOURCE``. The source is a git repository: a
URL (default: GitHub's) or a local clone or mirror. The rest of this module reads them: :func:`load` gives one
image's :class:`Manifest`, a ``{package: Package}`` map with the source's date.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from tools.paths import ROOT

REPOSITORY = "googlecolab/backend-info"
DEFAULT_SOURCE = f"https://github.com/{REPOSITORY}.git"
MANIFESTS = ROOT / "colab" / "manifests"
IMAGES = {"tpu": "tpu", "cpu": "", "gpu": "gpu"}  # image: the suffix of its files (pip-freeze.tpu.txt, os-info-tpu.txt)
WHEEL = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)-.*\.whl$")
PYTHON = re.compile(r"^Python (\d+\.\d+\.\d+)$", re.M)


def canonical(name: str) -> str:
    """A package name as the registry compares names (PEP 503): ``Jupyter_Client`` -> ``jupyter-client``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def release(version: str) -> str:
    """A version without its local tag: ``2.9.0+cpu`` -> ``2.9.0`` (the registry's build of the same release)."""
    return version.split("+")[0]


@dataclass(frozen=True)
class Package:
    """One manifest line: ``name==version``, or ``name @ url`` (then the version is read from a wheel's file name)."""

    name: str
    version: str | None
    url: str | None = None

    @property
    def key(self) -> str:
        return canonical(self.name)


def version_from_url(url: str) -> str | None:
    """The version in a wheel URL's file name (``torch-2.9.0%2Bcpu-cp313-...whl`` -> ``2.9.0+cpu``), else None."""
    found = WHEEL.match(unquote(Path(urlparse(url).path).name))
    return found["version"] if found else None


def parse_freeze(text: str) -> dict[str, Package]:
    """``pip freeze`` output as ``{canonical name: Package}``; comments and blank lines are skipped."""
    packages = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if " @ " in line:
            name, url = (part.strip() for part in line.split(" @ ", 1))
            package = Package(name, version_from_url(url), url)
        else:
            name, _, version = line.partition("==")
            package = Package(name.strip(), version.strip() or None)
        packages[package.key] = package
    return packages


@dataclass(frozen=True)
class Manifest:
    """One Colab image's packages, the Python it runs and where the manifest came from."""

    image: str
    packages: dict[str, Package]
    python: str
    source: str

    def version(self, name: str) -> str | None:
        package = self.packages.get(canonical(name))
        return package.version if package else None


def freeze_file(image: str) -> str:
    return f"pip-freeze.{IMAGES[image]}.txt" if IMAGES[image] else "pip-freeze.txt"


def os_file(image: str) -> str:
    return f"os-info-{IMAGES[image]}.txt" if IMAGES[image] else "os-info.txt"


def load(image: str, folder: Path = MANIFESTS) -> Manifest:
    """The committed manifest of ``image`` (``tpu``, ``cpu`` or ``gpu``)."""
    if not (folder / "SOURCE").exists():
        raise SystemExit(f"no Colab manifests in {folder}: run make colab-manifests (python -m tools.colab_manifests)")
    python = PYTHON.search((folder / os_file(image)).read_text())
    return Manifest(
        image,
        parse_freeze((folder / freeze_file(image)).read_text()),
        python[1] if python else "",
        (folder / "SOURCE").read_text().strip(),
    )


def refresh(source: str, folder: Path = MANIFESTS) -> str:
    """Copy the manifests from ``source`` (a git repository: URL or path) into ``folder``; return the SOURCE line."""
    with tempfile.TemporaryDirectory() as scratch:
        repository = source
        if not Path(source).exists():  # a URL: a shallow clone of the default branch
            repository = str(Path(scratch) / "backend-info")
            clone = ["git", "clone", "--quiet", "--depth", "1", "--bare", source, repository]
            cloned = subprocess.run(clone, capture_output=True, text=True)
            if cloned.returncode != 0:
                why = (cloned.stderr.strip().splitlines() or ["git failed"])[-1]
                raise SystemExit(
                    f"cannot reach {source} ({why}); clone or mirror {REPOSITORY} where there is a network, "
                    "then pass its path: make colab-manifests SOURCE=/path/to/backend-info (a clone or bare repository)"
                )

        def git(*arguments: str) -> str:
            done = subprocess.run(["git", "-C", repository, *arguments], capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{source} is not a git repository of {REPOSITORY}: {done.stderr.strip()}")
            return done.stdout

        commit, date = git("log", "-1", "--format=%H %cs", "HEAD").split()
        folder.mkdir(parents=True, exist_ok=True)
        for image in IMAGES:
            for name in (freeze_file(image), os_file(image)):
                (folder / name).write_text(git("show", f"HEAD:{name}"))
    line = f"{REPOSITORY} {commit} {date}"
    (folder / "SOURCE").write_text(line + "\n")
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="a git repository of googlecolab/backend-info")
    parser.add_argument("--into", type=Path, default=MANIFESTS)
    args = parser.parse_args()
    line = refresh(args.source, args.into)
    counts = ", ".join(f"{image} {len(load(image, args.into).packages)}" for image in IMAGES)
    print(f"Colab manifests from {line} in {args.into}: packages per image: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
