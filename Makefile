# Two commands for people: `make run` (set up and start the program) and `make test` (set up and run
# every test). Both create .venv with the exact versions of constraints.txt.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint i18n bench installer clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] in ((3, 11), (3, 12)), "Python 3.11 or 3.12 is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@bash scripts/system-deps.sh gui
	$(BIN)/python -m app $(ARGS)

# Every core for the unit, GUI and end-to-end tests (pytest-xdist); then the installer tests in one
# process: they freeze one bundle and share one Debian 11 package cache between them.
test: $(STAMP)
	@bash scripts/system-deps.sh test
	$(BIN)/ruff check app tests
	$(BIN)/lint-imports
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n auto --ignore=tests/installer $(PYTEST_ARGS)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/installer $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app tests
	$(BIN)/lint-imports
	$(BIN)/mypy

# Refresh the message catalogs after adding or changing strings (then translate: scripts/i18n.py missing/apply).
i18n: $(STAMP)
	$(BIN)/python scripts/i18n.py update

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/bench/bench_scale.py --scale district --json out/bench.json
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/bench/bench_registry.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/bench/bench_printing.py
	$(BIN)/python -m tests.bench.bench_export
	$(BIN)/python -m tests.e2e.bench_durability

# The standalone installer: PyInstaller bundle and .deb in dist/ (installer/README.md; Windows: CI workflow).
# The interpreter it freezes with is built for glibc 2.28 once and cached (installer/build-python.sh).
installer:
	bash installer/build-deb.sh

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
