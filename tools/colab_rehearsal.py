"""A rehearsal of Colab: the real first cell does real installs on a Colab image's packages, then every lesson runs.

    python -m tools.colab_rehearsal [--image tpu cpu gpu] [--lessons 01 05 ...] [--workdir build/rehearsal]

1. A fresh virtual environment gets the image's packages at the versions of its manifest (``colab/manifests``,
   :mod:`tools.colab_manifests`): those the lessons can meet (:mod:`tools.colab_environment`: the notebook front
   end, PyTorch from the registry at the image's release, what the course and Lightning import, and their
   dependencies); the packages it leaves out are printed with the reason.
2. A stand-in ``google.colab`` module is imported at kernel start-up, as on Colab, so the first cell acts.
3. The course is served from this checkout's last commit over a loopback HTTP server standing in for GitHub:
   a bare clone of the repository (``git+http://127.0.0.1:PORT/owner/name@branch``) and its
   ``requirements-colab.txt``; the lessons' first cell is ``tools.sync.bootstrap_cell`` pointed at that server,
   and so is the served copy's ``helpers.course.colab.REQUIREMENTS_URL``.
4. The lessons run headless (papermill) in a kernel of that environment: the first installs the course's
   helpers, then their ``set_up`` installs what the image lacks; the later ones find everything installed.
   Two parameters differ from Colab: ``data_source="standin"`` (no network for the dataset) and, on the TPU
   image, lesson 5's ``xla_device="CPU"`` (no TPU here). pip's scripts are on the kernel's PATH, as on Colab.
   Two lessons run side by side after the first, each kernel with its share of the cores (``OMP_NUM_THREADS``).
5. Checks: every lesson runs without an error; no lesson shows a warning, error line or traceback its committed
   outputs lack (:mod:`tools.output_alarms`); the image's torch, torchvision and torch_xla are untouched and no
   CUDA package was added; lesson 6 shows TensorBoard inline (``%tensorboard``; the servers it starts are stopped
   afterwards); with the server stopped the first cell ends with its one-line message.

Images whose environments here are the same (the same packages at the same versions, the same lesson parameters)
are rehearsed in one run, which says so: the CPU and GPU images are, as this machine has no GPU and the registry's
torch serves both. It prints the manifest it ran (source commit and date), what was installed and changed, how
long each part took, and each lesson's result; exit 1 if anything failed. It needs the package registry (not the
rest of the network), so it runs outside the no-network test run; ``tools/rehearsal_newer_python.sh`` runs it
under Colab's Python. The environment (about 7 GB with torch's CUDA libraries) is deleted at the end unless
``--keep-venv`` is given; the executed lessons stay in ``WORKDIR/IMAGE/out`` (``WORKDIR/cpu-gpu/out`` for a
shared run).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from helpers.course.console import console_to_file
from tools.colab_environment import choose_packages
from tools.colab_manifests import IMAGES, MANIFESTS, Manifest, canonical, load
from tools.colab_resolution import CUDA_PREFIXES, GUARDED, by_reason, compare
from tools.course_env import course_pool
from tools.lesson_metrics import format_metrics
from tools.output_alarms import new_alarms
from tools.paths import ROOT, course_config, notebook_paths
from tools.resolve_platforms import uv_binary
from tools.run_course import run_lesson
from tools.sync import bootstrap_cell

KERNEL_STARTUP = "import google.colab  # as on Colab, where the kernel imports it at start-up\n"
# What differs from Colab: no TPU here, so the TPU image's lesson 5 runs on the CPU XLA device.
LESSON_PARAMETERS = {"tpu": {"05_xla_tpu.ipynb": {"xla_device": "CPU"}}}
NEEDS_GB = 9  # an image's environment as installed (7 GB on the TPU image here), with room for the lessons' runs


def pip_freeze(python: Path) -> dict[str, str]:
    """``{name: version}`` of what ``python``'s environment has installed."""
    done = subprocess.run([python, "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True)
    return {canonical(entry["name"]): entry["version"] for entry in json.loads(done.stdout)}


def pip_check(python: Path) -> set[str]:
    """The broken requirements ``pip check`` finds in ``python``'s environment."""
    done = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
    return {line for line in done.stdout.splitlines() if line.strip() and "No broken requirements" not in line}


def python_minor(python: str) -> str:
    """``python``'s version as major.minor (``3.13``): the Python the environment is made with."""
    done = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


@dataclass
class Rehearsal:
    """What one run rehearses: the images whose environments here are the same (``packages``, the lessons'
    parameters), and what each image's manifest has that the environment leaves out, with why."""

    manifests: list[Manifest]
    packages: dict[str, str]
    left_out: dict[str, dict[str, str]]

    @property
    def name(self) -> str:
        return "-".join(manifest.image for manifest in self.manifests)  # a kernel name too: letters, digits, -._

    def folder(self, workdir: Path) -> Path:
        """Where this rehearsal keeps its environment (``venv``) and the executed lessons (``out``)."""
        return (workdir / self.name).resolve()

    @property
    def label(self) -> str:
        images = [manifest.image.upper() for manifest in self.manifests]
        return f"{' and '.join(images)} image{'s' if len(images) > 1 else ''}"


def plan_rehearsals(manifests: list[Manifest], python: str) -> list[Rehearsal]:
    """One :class:`Rehearsal` per distinct environment: images with the same packages at the same versions
    (:func:`tools.colab_environment.choose_packages`) and the same lesson parameters share one run, as a second run
    would repeat the first here (the CPU and GPU images do: without a GPU both run the registry's torch on the CPU)."""
    rehearsals: dict[tuple, Rehearsal] = {}
    for manifest in manifests:
        packages, left_out = choose_packages(manifest, python)
        key = (tuple(sorted(packages.items())), json.dumps(LESSON_PARAMETERS.get(manifest.image, {}), sort_keys=True))
        if key in rehearsals:
            rehearsals[key].manifests.append(manifest)
            rehearsals[key].left_out[manifest.image] = left_out
        else:
            rehearsals[key] = Rehearsal([manifest], packages, {manifest.image: left_out})
    return list(rehearsals.values())


def make_environment(workdir: Path, rehearsal: Rehearsal, base_python: str) -> Path:
    """A fresh venv with the rehearsal's packages, a stand-in ``google.colab`` and a kernel spec; returns its
    python."""
    venv = workdir / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([base_python, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    pinned = workdir / "image-packages.txt"
    pinned.write_text("".join(f"{name}=={version}\n" for name, version in rehearsal.packages.items()))
    subprocess.run(
        # no cache kept: the image's torch and its CUDA libraries are about 7 GB installed, a cache would double it
        [uv_binary(), "pip", "install", "--quiet", "--no-cache", "--python", python, "--no-deps", "-r", pinned],
        check=True,
    )
    site = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True
    ).stdout.strip())  # fmt: skip
    (site / "google" / "colab").mkdir(parents=True, exist_ok=True)
    (site / "google" / "colab" / "__init__.py").write_text('"""A stand-in for Colab\'s module (a rehearsal)."""\n')
    startup = workdir / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-colab.py").write_text(KERNEL_STARTUP)
    subprocess.run(
        [python, "-m", "ipykernel", "install", "--prefix", workdir / "jupyter", "--name", f"colab-{rehearsal.name}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return python


def serve_course(workdir: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve this checkout's last commit as GitHub would: a git repository and the raw requirements file.

    The served commit is the last one with one line changed: ``helpers.course.colab.REQUIREMENTS_URL`` points at
    this server instead of GitHub's raw host.
    """
    cfg = course_config()
    site = workdir / "github"
    shutil.rmtree(site, ignore_errors=True)
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    host = f"http://127.0.0.1:{server.server_port}"
    work = workdir / "served-checkout"
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", ROOT, work], check=True)
    colab = work / "helpers" / "course" / "colab.py"
    url = f"{host}/raw/{cfg['github']}/{cfg['branch']}/requirements-colab.txt"
    colab.write_text(re.sub(r"^REQUIREMENTS_URL = .*$", f'REQUIREMENTS_URL = "{url}"', colab.read_text(), flags=re.M))
    git = ["git", "-C", work, "-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost"]
    subprocess.run([*git, "commit", "--quiet", "-am", "rehearsal: requirements from the stand-in GitHub"], check=True)
    bare = site / cfg["github"]
    subprocess.run(["git", "clone", "--quiet", "--bare", work, bare], check=True)
    head = subprocess.run(["git", "-C", work, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "-C", bare, "branch", "--force", cfg["branch"], head], check=True, capture_output=True)
    subprocess.run(["git", "-C", bare, "update-server-info"], check=True)
    raw = site / "raw" / cfg["github"] / cfg["branch"]
    raw.mkdir(parents=True)
    shutil.copy(work / "requirements-colab.txt", raw / "requirements-colab.txt")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, host


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def rehearsal_notebook(path: Path, workdir: Path, host: str) -> Path:
    """A copy of a lesson whose first cell is the bootstrap cell pointed at the stand-in GitHub."""
    nb = nbformat.read(path, as_version=4)
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    first.source = bootstrap_cell(course_config(), github=host)
    copy = workdir / "in" / path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, copy)
    return copy


def outcome(row: dict) -> str:
    """What a summary row of :func:`tools.run_course.run_lesson` says: the lesson's final metrics, or its error."""
    return format_metrics(row["metrics"]) if row["status"] == "ok" else row["error"]


def inline_tensorboard_shown(notebook: Path) -> bool:
    """Whether an executed lesson shows TensorBoard's Colab frame (the Javascript ``%tensorboard`` displays there)."""
    nb = nbformat.read(notebook, as_version=4)
    outputs = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    return any("proxyPort" in str(output.get("data", {}).get("application/javascript", "")) for output in outputs)


def stop_tensorboards(venv: Path) -> int:
    """End the TensorBoard servers that ``%tensorboard`` started from ``venv`` (they outlive their kernel)."""
    stopped = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = [arg.decode(errors="replace") for arg in cmdline.read_bytes().split(b"\0")]
        except OSError:  # the process ended meanwhile
            continue
        if any(arg.startswith(str(venv)) and arg.endswith("/tensorboard") for arg in argv):
            os.kill(int(cmdline.parent.name), signal.SIGTERM)
            stopped += 1
    return stopped


def rehearse(rehearsal: Rehearsal, args: argparse.Namespace) -> bool:
    """Run one rehearsal (environment, first cell, every lesson, checks), print its report; True if it passed."""
    sources = sorted({f"{manifest.source} (Colab's Python {manifest.python})" for manifest in rehearsal.manifests})
    print(f"Colab rehearsal, {rehearsal.label}, manifest of {', '.join(sources)}", flush=True)
    workdir = rehearsal.folder(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    free_gb = shutil.disk_usage(workdir).free / 2**30
    if free_gb < NEEDS_GB:
        sys.exit(
            f"The rehearsal needs about {NEEDS_GB} GB free in {workdir}, which has {free_gb:.1f} GB: free some "
            "space (an earlier rehearsal's venv, pip's cache) or give --workdir on a larger disk."
        )
    problems: list[str] = []

    began = time.perf_counter()
    python = make_environment(workdir, rehearsal, args.python)
    environment_seconds = time.perf_counter() - began
    image, broken_before = pip_freeze(python), pip_check(python)
    server, host = serve_course(workdir)
    os.environ.update(IPYTHONDIR=str(workdir / "ipython"), JUPYTER_PATH=str(workdir / "jupyter" / "share" / "jupyter"))
    os.environ["PATH"] = f"{python.parent}{os.pathsep}{os.environ['PATH']}"  # as on Colab: pip's scripts are on it
    for name in ("PJRT_DEVICE", "WANDB_MODE", "PIP_FIND_LINKS", "PIP_CONSTRAINT"):  # as on Colab: not set
        os.environ.pop(name, None)
    # as on Colab: no pip configuration (a machine's may name local indexes, and pip warns about missing ones)
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    # ipykernel 6.17's debugger warns on its kernel's stderr (not in any cell) about Python 3.13's frozen modules
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # kernels side by side share the cores: with torch's default of a thread per core each, OpenMP's waiting threads
    # spun on cores the other kernel needed (on 2 cores, lesson 4 took 341 s, 47 s with this); no output depends on it
    os.environ["OMP_NUM_THREADS"] = str(max(1, len(os.sched_getaffinity(0)) // args.jobs))
    kernel = f"colab-{rehearsal.name}"
    lessons = [path for path in notebook_paths() if args.lessons is None or path.name[:2] in args.lessons]
    out = workdir / "out"
    out.mkdir(exist_ok=True)

    # GitHub out of reach on a fresh runtime (port 9: nothing listens): the first cell must end with its one line.
    # pip's error shows in the cell and the kernel also echoes it to its stderr: kept in a file, not in this log.
    with console_to_file(workdir / "offline_kernel_stderr.log", fds=(2,)):
        offline = run_lesson(rehearsal_notebook(lessons[0], workdir, "http://127.0.0.1:9"), out, {}, kernel)
    if offline["status"] == "ok" or "installing the course's helpers failed" not in offline["error"]:
        problems.append(f"with GitHub out of reach the first cell did not end with its message: {outcome(offline)}")

    copies = [rehearsal_notebook(path, workdir, host) for path in lessons]
    parameters = [
        {"data_source": "standin", **LESSON_PARAMETERS.get(rehearsal.manifests[0].image, {}).get(path.name, {})}
        for path in lessons
    ]

    def runs() -> Iterator[dict]:
        """The first lesson installs what the image lacks; the others find it installed and run side by side."""
        yield run_lesson(copies[0], out, parameters[0], kernel)
        with course_pool(args.jobs) as pool:
            yield from pool.map(
                run_lesson, copies[1:], [out] * len(copies[1:]), parameters[1:], [kernel] * len(copies[1:])
            )

    rows, alarms = {}, {}
    for path, row in zip(lessons, runs()):
        rows[path.name] = row
        if (out / path.name).exists():
            executed, committed = (nbformat.read(nb, as_version=4) for nb in (out / path.name, path))
            alarms[path.name] = new_alarms(executed, committed)
        print(f"{path.name:<40}{row['seconds']:>8.0f} s  {row['status']}", flush=True)
    after, broken_after = pip_freeze(python), pip_check(python)
    server.shutdown()
    if "06_loggers.ipynb" in rows and not inline_tensorboard_shown(out / "06_loggers.ipynb"):
        problems.append("lesson 6 did not show TensorBoard inline")
    stop_tensorboards(python.parent.parent)
    python_version = subprocess.run([python, "-V"], capture_output=True, text=True).stdout.strip()
    plan = compare(image, after)
    problems += [f"the image's {change} was replaced" for change in plan.guarded_changes]
    problems += [f"a CUDA package was added: {name}" for name in plan.added if name.startswith(CUDA_PREFIXES)]
    problems += [f"{name}: {alarm}" for name, found in alarms.items() for alarm in found]

    print(f"\nColab rehearsal, {rehearsal.label}, {python_version}, manifest of {', '.join(sources)}")
    trio = [f"{name} {image[name]}" for name in GUARDED if name in image]
    for manifest in rehearsal.manifests:
        left_out = rehearsal.left_out[manifest.image]
        print(f"{manifest.image} image: {', '.join(trio)} and {len(image) - len(trio)} other packages of its "
              f"{len(manifest.packages)}; left out ({len(left_out)}): {by_reason(left_out)}")  # fmt: skip
        print(f"not in the {manifest.image} manifest, added: {sorted(set(image) - set(manifest.packages)) or 'none'}")
    print(f"installed by the lessons' first cell ({len(plan.added)} packages): "
          + ", ".join(f"{name} {version}" for name, version in plan.added.items()))  # fmt: skip
    print("upgraded or downgraded from the image: "
          + (", ".join(f"{name} {old} -> {new}" for name, (old, new) in plan.changed.items()) or "none"))  # fmt: skip
    print(f"pip check, new after the first cell: {sorted(broken_after - broken_before) or 'none'}")
    environment = "environment with the image's packages"
    print(f"{environment:<40}{environment_seconds:>8.0f} s")
    for name, row in rows.items():
        print(f"{name:<40}{row['seconds']:>8.0f} s  {row['status']:<7}{outcome(row)}")
    print(f"GitHub out of reach: {outcome(offline)}")
    print(f"in all: {time.perf_counter() - began:.0f} s")
    for problem in problems:
        print("PROBLEM:", problem)
    failed = [name for name, row in rows.items() if row["status"] != "ok"]
    print(f"{len(rows) - len(failed)} passed, {len(failed) + len(problems)} failed\n", flush=True)
    return not failed and not problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", nargs="+", choices=list(IMAGES), default=["tpu"], help="default: tpu")
    parser.add_argument("--lessons", nargs="*", help="lesson numbers (default: every lesson)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "rehearsal")
    parser.add_argument("--manifests", type=Path, default=MANIFESTS, help="the folder of Colab's manifests")
    parser.add_argument("--python", default=sys.executable, help="the Python to build the environment with")
    parser.add_argument("--jobs", type=int, default=2, help="lessons side by side after the first (default: 2)")
    parser.add_argument("--keep-venv", action="store_true", help="keep the image's environment (about 7 GB) afterwards")
    args = parser.parse_args()
    manifests = [load(image, args.manifests) for image in dict.fromkeys(args.image)]
    rehearsals = plan_rehearsals(manifests, python_minor(args.python))
    for rehearsal in rehearsals:
        if len(rehearsal.manifests) > 1:
            print(f"The {rehearsal.label} give the same environment here ({len(rehearsal.packages)} packages at the "
                  "same versions) and the same lesson parameters: one run rehearses them together.")  # fmt: skip
    passed, environ = {}, dict(os.environ)
    for rehearsal in rehearsals:
        try:
            passed[rehearsal.label] = rehearse(rehearsal, args)
        finally:
            os.environ.clear()  # each rehearsal sets its own PATH, Jupyter and pip variables
            os.environ.update(environ)
            if not args.keep_venv:  # about 7 GB, deleted after a failure too; the executed lessons stay in out/
                shutil.rmtree(rehearsal.folder(args.workdir) / "venv", ignore_errors=True)
    if len(passed) > 1:
        print("Colab rehearsals:", ", ".join(f"{label} {'passed' if ok else 'FAILED'}" for label, ok in passed.items()))
    return 0 if all(passed.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
