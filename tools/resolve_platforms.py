"""Resolve the pinned environment for every platform and Python the course supports, without installing anything.

``python -m tools.resolve_platforms`` (``make resolve``) runs ``uv pip compile --python-platform P
--python-version V requirements.txt`` for each pair (uv evaluates the environment markers for the target,
which ``pip --dry-run --platform`` does not) and prints one line per pair: how many packages the resolution
pins, or uv's reason there is none. It needs the package registry. Exit status 1 if a supported pair does not
resolve, or if an unsupported one (macOS on Intel) starts to: then the README's *Platforms* section is wrong.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools.paths import ROOT

PYTHONS = ("3.11", "3.12", "3.13")
SUPPORTED = {  # uv's --python-platform name: the platform as the README names it
    "x86_64-unknown-linux-gnu": "Linux x86-64",
    "aarch64-unknown-linux-gnu": "Linux ARM (aarch64)",
    "aarch64-apple-darwin": "macOS, Apple silicon",
    "x86_64-pc-windows-msvc": "Windows x86-64",
}
# torch 2.9.0 has no wheels for macOS on Intel (the last torch release with some: 2.2.2)
UNSUPPORTED = {"x86_64-apple-darwin": "macOS, Intel"}
NO_WHEELS = "has no wheels with a matching platform tag"  # uv's words
PIN = re.compile(r"^[A-Za-z0-9_.-]+==", re.M)
PARALLEL = 4  # uv waits on the registry, not the CPU


@dataclass(frozen=True)
class Resolution:
    """One platform and Python: the number of pinned packages, or why uv found no solution."""

    platform: str
    python: str
    pins: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        """As the README says: a supported platform resolves; an unsupported one lacks wheels (not, say, a network)."""
        if self.platform in SUPPORTED:
            return self.pins > 0
        return NO_WHEELS in self.error

    def line(self) -> str:
        """What ``make resolve`` prints for it."""
        label = f"{SUPPORTED.get(self.platform) or UNSUPPORTED[self.platform]} ({self.platform})"
        if self.pins:
            outcome = f"{self.pins} pins" + ("" if self.ok else ": it resolves now, update SUPPORTED and the README")
        else:
            outcome = f"{'unsupported, as expected' if self.ok else 'FAILED'}: {self.error}"
        return f"{label:<50} Python {self.python}  {outcome}"


def uv_binary() -> str:
    """The pinned uv of this environment (requirements.txt)."""
    try:
        from uv import find_uv_bin
    except ImportError:
        raise SystemExit(
            "tools.resolve_platforms needs uv, pinned in requirements.txt: run make setup (or pip install -r "
            "requirements.txt) and use the course's environment."
        ) from None
    return find_uv_bin()


def reason(stderr: str) -> str:
    """uv's one-line reason for a failed resolution: its ``cause:`` line, else its ``error:`` line, else the last."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for prefix in ("cause: ", "error: "):
        found = [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]
        if found:
            return found[0]
    return lines[-1] if lines else "uv failed without a message"


def resolve(uv: str, platform: str, python: str, requirements: Path = ROOT / "requirements.txt") -> Resolution:
    """Resolve ``requirements`` for ``platform`` and ``python`` into a temporary file and count its pins."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "resolved.txt"
        options = ["--quiet", "--python-platform", platform, "--python-version", python, "--output-file", str(output)]
        done = subprocess.run([uv, "pip", "compile", *options, str(requirements)], capture_output=True, text=True)
        if done.returncode != 0:
            return Resolution(platform, python, error=reason(done.stderr))
        return Resolution(platform, python, pins=len(PIN.findall(output.read_text())))


def main() -> int:
    uv = uv_binary()
    pairs = [(platform, python) for platform in [*SUPPORTED, *UNSUPPORTED] for python in PYTHONS]
    start = time.perf_counter()
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = []
        for result in pool.map(lambda pair: resolve(uv, *pair), pairs):
            print(result.line(), flush=True)
            results.append(result)
    failed = [result for result in results if not result.ok]
    print(f"{len(results) - len(failed)} of {len(results)} as expected, in {time.perf_counter() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
