# Colab bootstrap: the same first cell in every lesson (its one source is helpers/colab_bootstrap.py).
# On Colab it installs the course's pinned packages and `helpers` once per runtime; on a TPU runtime it also makes
# sure torch and torch_xla have matching versions. Elsewhere it does nothing.
import glob
import importlib.metadata
import os
import subprocess
import sys
import tempfile
import urllib.request

COURSE = "lightning-course/pytorch-lightning-course/main"  # GitHub owner/repository/branch
TPU_PCI_IDS = {"0x0027", "0x005e", "0x0063", "0x006f", "0x0056", "0x0062", "0x0076"}  # torch_xla 2.9's TPU chips


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
    restarted = os.path.join(tempfile.gettempdir(), "lightning-course-tpu-restart")  # survives a kernel restart
    if tpu_attached() and xla_version != torch_version and os.path.exists(restarted):
        print(f"Colab TPU: torch {torch_version} and torch_xla {xla_version} still differ after the reinstall.")
        print("Use Runtime > Disconnect and delete runtime, then run this notebook again from the top.")
    elif tpu_attached() and xla_version != torch_version:
        lines = urllib.request.urlopen(requirements).read().decode().splitlines()
        trio = [line.removeprefix("#tpu ") for line in lines if line.startswith("#tpu ")]
        print(f"Colab TPU: torch {torch_version} and torch_xla {xla_version} do not match; installing {' '.join(trio)}")
        subprocess.run([*pip, *trio, "-r", requirements], check=True)
        open(restarted, "w").close()
        print("Colab TPU: restarting the runtime so the new versions load. Then run this notebook again from the top.")
        os.kill(os.getpid(), 9)  # Colab restarts a kernel that exits; the installed packages stay
    elif installed("lightning-course-helpers") is None:
        print("Colab: installing the course's pinned packages and helpers (once per runtime, about a minute)...")
        subprocess.run([*pip, "-r", requirements], check=True)
        print("Colab: done.")
