# Colab bootstrap: the same first cell in every lesson (its one source is helpers/colab_bootstrap.py).
# On Colab it installs the course's pinned packages and `helpers` once per runtime; on a TPU runtime it also makes
# sure torch and torch_xla have matching versions. Elsewhere it does nothing.
import glob
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import urllib.request

COURSE = "lightning-course/pytorch-lightning-course/main"  # GitHub owner/repository/branch
TPU_PCI_IDS = {"0x0027", "0x005e", "0x0063", "0x006f", "0x0076"}  # Google's TPU chips (v2/v3, v4, v5e, v6e, 7x)


def installed(package):
    try:
        return importlib.metadata.version(package).split("+")[0]
    except importlib.metadata.PackageNotFoundError:
        return None


def tpu_attached():  # read from the PCI bus: no network, no torch_xla import
    vendors = glob.glob("/sys/bus/pci/devices/*/vendor")
    return any(
        open(v).read().strip() == "0x1ae0" and open(v[:-6] + "device").read().strip() in TPU_PCI_IDS for v in vendors
    )


if "google.colab" in sys.modules:
    requirements = f"https://raw.githubusercontent.com/{COURSE}/requirements-colab.txt"
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    torch_version, xla_version = installed("torch"), installed("torch_xla")
    if tpu_attached() and (xla_version is None or xla_version != torch_version):
        lines = urllib.request.urlopen(requirements).read().decode().splitlines()
        trio = [line.removeprefix("#tpu ") for line in lines if line.startswith("#tpu ")]
        print(f"Colab TPU: torch {torch_version} and torch_xla {xla_version} do not match; installing {' '.join(trio)}")
        subprocess.run([*pip, *trio, "-r", requirements], check=True)
        print("Colab TPU: restarting the runtime so the new versions load. Then run this notebook again from the top.")
        os.kill(os.getpid(), 9)  # Colab restarts a kernel that exits; the installed packages stay
    elif importlib.util.find_spec("helpers") is None:
        print("Colab: installing the course's pinned packages and helpers (once per runtime, about a minute)...")
        subprocess.run([*pip, "-r", requirements], check=True)
        print("Colab: done.")
