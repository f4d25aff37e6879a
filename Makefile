# The course's two commands (README): `make course` and `make test`. Both set up .venv first (idempotent).
# .venv is made with the newest Python the pins support (3.13, 3.12, 3.11) that runs here; `make PYTHON=...` wins.
# A python3.x on PATH that does not run (a pyenv shim for a version not selected) is passed over.
SUPPORTED_PYTHONS := python3.13 python3.12 python3.11
PYTHON ?= $(firstword $(foreach python,$(SUPPORTED_PYTHONS),$(shell $(python) -c "" 2>/dev/null && echo $(python))))
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup course test notebooks sync cross-cpu resolve rehearsal

setup: $(STAMP)

# Re-installs only when the pins or the package definition change; a second run reuses .venv.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || test -n "$(PYTHON)" || { echo "No Python 3.13, 3.12 or 3.11 runs here: install one \
	(python.org, Homebrew, apt, pyenv) or name it: make PYTHON=/path/to/python3.13" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	touch $(STAMP)

# Execute every lesson headless with papermill into build/course/ and print a summary table.
course: setup
	$(PY) -m tools.run_course

# Lint (code and notebooks), then unit tests + strict nbval + papermill runs, with no network when possible.
test: setup
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

# Maintainers: the lessons' first cell installing for real on the packages of Colab's TPU image, then of its
# CPU image, and lessons 1, 5, 6 and 7 running in each (needs the package registry; tools/colab_rehearsal.py).
rehearsal: setup
	$(PY) -m tools.colab_rehearsal --image tpu
	$(PY) -m tools.colab_rehearsal --image cpu
