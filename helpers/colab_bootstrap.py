# Colab bootstrap: the same first cell in every lesson (its one source is helpers/colab_bootstrap.py).
# On Colab it installs the course's pinned packages and `helpers` once per runtime; elsewhere it does nothing.
import importlib.util
import subprocess
import sys

COURSE_REQUIREMENTS = "https://raw.githubusercontent.com/lightning-course/pytorch-lightning-course/main/requirements-colab.txt"  # noqa: E501
if "google.colab" in sys.modules and importlib.util.find_spec("helpers") is None:
    print("Colab: installing the course's pinned packages and helpers (once per runtime, about a minute)...")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-r", COURSE_REQUIREMENTS], check=True)
    print("Colab: done.")
