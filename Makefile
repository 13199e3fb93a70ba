# Two commands do all set-up on a fresh machine with only Python 3.11+:
#   make lab    open the curriculum in JupyterLab
#   make test   run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
LAB_FLAGS ?=
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
NOTEBOOKS := $(wildcard notebooks/[0-9][0-9]_*.ipynb answers/[0-9][0-9]_*.ipynb)

.PHONY: lab test lint notebooks exercises bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --port=$(PORT) $(ROOT_FLAG) $(LAB_FLAGS) \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

# The browser tests (tests/e2e) drive Debian's chromium: Playwright cannot download a browser
# here. It is installed when missing and running as root; if it cannot be, they skip and say so.
test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
		echo "Installing Debian's chromium for the browser tests (tests/e2e)" && \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium is not installed (needs root and apt-get): the browser tests will skip"
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadscope $(NBVAL) tests notebooks answers

lint: $(STAMP)
	$(BIN)/ruff check .

exercises: $(STAMP)
	$(BIN)/salessim exercises build

# After a deliberate change: re-execute every lesson and worked answer in place, top to
# bottom in a fresh kernel, then rebuild the exercises and the clause coverage table.
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=600 $(NOTEBOOKS)
	$(BIN)/jupyter nbconvert --to notebook --inplace --coalesce-streams $(NOTEBOOKS)
	$(BIN)/salessim exercises build
	$(BIN)/salessim coverage --write

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_simulation.py

clean:
	rm -rf $(VENV) .pytest_cache
