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

# The installer tests run in one process of their own (one frozen bundle, one Debian 11 package cache),
# started first and alongside the checks and the unit, GUI and end-to-end tests, which use every core
# (pytest-xdist); the installer's report is printed when both are done, and either failing fails.
# They share nothing (each session has its own temporary folder); interrupted, the installer tests
# still unmount their Debian 11 root (tests/installer/conftest.py turns SIGTERM into an interrupt).
test: $(STAMP)
	@bash scripts/system-deps.sh test
	@mkdir -p build; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/installer -p no:cacheprovider $(PYTEST_ARGS) \
	  > build/installer-tests.log 2>&1 & installer=$$!; \
	trap 'kill $$installer 2>/dev/null; wait $$installer' INT TERM; \
	echo "tests/installer started (pid $$installer, report in build/installer-tests.log)"; \
	$(BIN)/ruff check app tests && $(BIN)/lint-imports && $(BIN)/mypy \
	  && QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n auto --ignore=tests/installer $(PYTEST_ARGS); \
	rest=$$?; wait $$installer; inst=$$?; \
	echo "==================== tests/installer (ran alongside) ===================="; \
	cat build/installer-tests.log; \
	[ $$rest -eq 0 ] && [ $$inst -eq 0 ]

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
