"""The proof behind the numerics profile: the lessons' training gives bit-identical numbers on other CPUs.

    python -m tools.cross_cpu [--models Haswell-v4 EPYC-Rome-v1 SandyBridge-v1 Opteron_G5-v1] [--jobs 2]
    python -m tools.cross_cpu --timing      # what the profile costs in speed, natively

A probe runs the training the lessons do, in the course environment (``tools.course_env``): the stand-in
generated from its seed; lesson 3's DataModule feeding lesson 4's model (fused Adam, a cosine schedule,
two short epochs with validation); lesson 5's raw torch_xla loop (read from the notebook) and Lightning on
the XLA device. It prints its numbers as one JSON line. The probe runs natively and, through Debian's
``qemu-user`` (``apt-get install qemu-user``), under emulated CPU models of both vendors, with and without
AVX2 (QEMU 7.2 emulates no AVX-512; the native run covers it where the machine has it). Every number must be
equal to the last bit. Emulation costs about 20x: a few minutes per model.

Caveat measured while building this: QEMU computes approximate instructions such as ``rsqrtps`` exactly,
unlike real Intel and AMD chips, which differ from each other. A code path that uses them therefore differs
between real CPUs even where emulated models agree; the native run catches such a path on this machine's
CPU (that is how PyTorch's default Adam, whose square root comes from MKL, was found to differ).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools.paths import ROOT

MODELS = {  # QEMU model: (vendor, AVX2)
    "Haswell-v4": ("Intel", True),
    "EPYC-Rome-v1": ("AMD", True),
    "SandyBridge-v1": ("Intel", False),
    "Opteron_G5-v1": ("AMD", False),
}
NUMBERS = ("standin", "fit_val_loss", "fit_weights", "raw_xla_losses", "raw_xla_weights", "lightning_xla_weights")


def digest(state: dict, length: int = 16) -> str:
    """First ``length`` hex digits of the SHA-256 of every tensor in a state dict, in order: equal digests mean
    bit-identical weights."""
    hasher = hashlib.sha256()
    for tensor in state.values():
        hasher.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return hasher.hexdigest()[:length]


def probe() -> dict[str, str]:
    """Run the lessons' training in small and return its numbers (exact: 9 significant digits or digests)."""
    from tools.course_env import apply_course_env

    apply_course_env()
    import torch
    import torch_xla  # the XLA device starts before any backward (see conftest.py)

    torch_xla.device()
    import pytorch_lightning as pl
    from torch.utils.data import DataLoader

    from helpers.course.trainers import quiet_trainer
    from helpers.data.datamodule import FashionMNISTDataModule
    from helpers.data.in_memory import standin_tensors
    from helpers.data.standin import StandinSpec, generate
    from helpers.model import FashionCNN
    from helpers.xla.accelerator import xla_trainer_kwargs
    from tools.lesson_code import lesson5_loader, lesson5_train_raw

    numbers = {"standin": hashlib.sha256(generate(600, seed=0)[0].tobytes()).hexdigest()[:16]}
    with tempfile.TemporaryDirectory() as data_dir:  # lessons 3 and 4: DataModule, model, fit with validation
        dm = FashionMNISTDataModule(data_dir, "standin", batch_size=64, val_split=64, standin=StandinSpec(704, 32, 0))
        pl.seed_everything(0, verbose=False)
        torch.use_deterministic_algorithms(True)
        model = FashionCNN(learning_rate=2e-3, scheduler="cosine")
        trainer = quiet_trainer(max_epochs=2, deterministic=True)
        trainer.fit(model, datamodule=dm)
    numbers["fit_val_loss"] = f"{float(trainer.callback_metrics['val_loss']):.9g}"
    numbers["fit_weights"] = digest(model.state_dict())

    train_raw = lesson5_train_raw(learning_rate=0.05)  # lesson 5's raw loop, as the notebook writes it
    data = standin_tensors(640, seed=0)
    pl.seed_everything(0, verbose=False)
    raw_model = FashionCNN(learning_rate=0.05, optimizer="sgd")
    losses = train_raw(raw_model, lesson5_loader(data, batch_size=64), 20)
    numbers["raw_xla_losses"] = " ".join(f"{loss:.9g}" for loss in losses)
    numbers["raw_xla_weights"] = digest(raw_model.state_dict())
    pl.seed_everything(0, verbose=False)
    lit_model = FashionCNN(learning_rate=0.05, optimizer="sgd")
    lit_loader = DataLoader(data, batch_size=64, drop_last=True)
    quiet_trainer(**xla_trainer_kwargs(), max_steps=20, limit_val_batches=0).fit(lit_model, lit_loader)
    numbers["lightning_xla_weights"] = digest(lit_model.state_dict())
    return numbers


def fit_seconds(numerics: bool) -> dict[str, str]:
    """Seconds of one epoch of lesson 4's fit (the course model on the 6,000-image stand-in, with validation)."""
    from tools.course_env import apply_course_env

    apply_course_env(numerics)
    import pytorch_lightning as pl

    from helpers.course.trainers import quiet_trainer
    from helpers.data.datamodule import FashionMNISTDataModule
    from helpers.model import FashionCNN

    with tempfile.TemporaryDirectory() as data_dir:
        dm = FashionMNISTDataModule(data_dir, "standin")
        dm.prepare_data()
        pl.seed_everything(0, verbose=False)
        start = time.perf_counter()
        quiet_trainer(max_epochs=1, deterministic=True).fit(FashionCNN(learning_rate=2e-3), datamodule=dm)
        return {"fit_seconds": f"{time.perf_counter() - start:.2f}"}


def run_probe(model: str | None, what: str = "--probe") -> dict[str, str]:
    """Run :func:`probe` (or ``what``) in a new process, natively (``model`` None) or under ``qemu-x86_64 -cpu``."""
    python = str(Path(sys.executable).parent / "python")  # the venv's python, not the resolved interpreter
    command = [python, "-m", "tools.cross_cpu", what]
    if model:
        command = ["qemu-x86_64", "-cpu", model, *command]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"exit {done.returncode}: {tail}", "seconds": f"{seconds:.0f}"}
    return json.loads(lines[-1]) | {"seconds": f"{seconds:.0f}"}


def _cpuinfo(field: str) -> str | None:
    """The value of ``field`` for the first CPU in /proc/cpuinfo (Linux), or None."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    return next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith(field)), None)


def cpu_model() -> str:
    """This machine's CPU model name (Linux), else what ``platform`` knows."""
    return _cpuinfo("model name") or platform.processor() or platform.machine()


def native_cpu() -> str:
    """This machine's CPU model name and whether it has AVX2 / AVX-512."""
    flags = (_cpuinfo("flags") or "").split()
    avx2, avx512 = ("yes" if flag in flags else "no" for flag in ("avx2", "avx512f"))
    return f"{cpu_model()} (native; AVX2 {avx2}, AVX-512 {avx512})"


def compare(models: list[str], jobs: int) -> int:
    """Run the probe natively and under each model; print the table; 0 if every number is identical."""
    if models and shutil.which("qemu-x86_64") is None:
        print("qemu-x86_64 is not installed: apt-get install qemu-user (or run with --models and no names)")
        return 2
    runs = [None, *models]
    with ThreadPoolExecutor(jobs) as pool:
        results = dict(zip(runs, pool.map(run_probe, runs)))
    reference = results[None]
    print(f"{'CPU':<58}{'seconds':>8}  " + "  ".join(NUMBERS))
    identical = "error" not in reference
    for run, numbers in results.items():
        vendor, avx2 = MODELS.get(run, ("?", False))
        label = native_cpu() if run is None else f"{run} (QEMU; {vendor}, AVX2 {'yes' if avx2 else 'no'})"
        if "error" in numbers:
            print(f"{label:<58}{numbers['seconds']:>8}  {numbers['error']}")
            identical = False
            continue
        same = all(numbers[key] == reference.get(key) for key in NUMBERS)
        identical &= same
        print(f"{label:<58}{numbers['seconds']:>8}  " + "  ".join(numbers[key] for key in NUMBERS))
        if not same:
            differing = [key for key in NUMBERS if numbers[key] != reference[key]]
            print(f"{'':<58}{'':>8}  differs from the native run in: {differing}")
    print(f"\nall {len(runs)} runs bit-identical: {'yes' if identical else 'NO'}")
    return 0 if identical else 1


def timing(rounds: int) -> None:
    """One epoch of lesson 4's fit, natively, with the profile and without it, alternating; the best of each."""
    best = {"--fit-with-profile": float("inf"), "--fit-without-profile": float("inf")}
    for _ in range(rounds):
        for what in best:
            best[what] = min(best[what], float(run_probe(None, what).get("fit_seconds", "inf")))
    with_profile, without = best.values()
    print(f"one epoch of lesson 4's fit: {with_profile:.1f} s with the numerics profile, {without:.1f} s without "
          f"(this machine's defaults), best of {rounds}: the profile costs {with_profile / without:.2f}x")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=list(MODELS), help="QEMU CPU models (qemu-x86_64 -cpu help)")
    parser.add_argument("--jobs", type=int, default=2, help="probes run side by side")
    parser.add_argument(
        "--timing", action="store_true", help="time one epoch of lesson 4's fit natively, with and without the profile"
    )
    parser.add_argument("--rounds", type=int, default=2, help="with --timing: runs of each")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fit-with-profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fit-without-profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe()))
        return 0
    if args.fit_with_profile or args.fit_without_profile:
        print(json.dumps(fit_seconds(numerics=args.fit_with_profile)))
        return 0
    if args.timing:
        timing(args.rounds)
        return 0
    return compare(args.models, args.jobs)


if __name__ == "__main__":
    raise SystemExit(main())
