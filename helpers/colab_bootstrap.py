# Colab bootstrap: the same first cell in every lesson (its one source is helpers/colab_bootstrap.py).
# On Colab it installs the course's pinned packages and `helpers` once per runtime; elsewhere it does nothing.
import importlib.util
import subprocess
import sys

COURSE = "lightning-course/pytorch-lightning-course/main"  # GitHub owner/repository/branch
if "google.colab" in sys.modules and importlib.util.find_spec("helpers") is None:
    print("Colab: installing the course's pinned packages and helpers (once per runtime, about a minute)...")
    requirements = f"https://raw.githubusercontent.com/{COURSE}/requirements-colab.txt"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-r", requirements], check=True)
    print("Colab: done.")
