# csto-brief. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# The interpreter that creates .venv: the locked wheels exist for CPython 3.11 to 3.14 (tested: 3.11).
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3.14 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CPU_PIN := $(VENV)/.cpu-pinned
LAB_PORT ?= 8888
KERNEL := csto-brief

.PHONY: help brief test env plan rebuild validate lock clean bench preview docs lab kernel publish

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

brief: env ## Build the brief: validate data, run stale notebooks in order, export report/brief.pdf and .html
	@$(PY) -m csto_brief.pipeline

test: env ## Run every test: package (pytest), notebooks (nbval), the committed brief (on every core)
	@$(PY) -m pytest

env: $(STAMP) $(CPU_PIN) ## Create .venv with the locked versions (only when missing or the lock changed)

# numpy's baseline kernels in every interpreter of .venv, so the outputs are the same bytes on every CPU.
$(CPU_PIN): $(STAMP) src/csto_brief/cpu.py
	@$(PY) -m csto_brief.cpu install
	@touch $@

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; ok = (3, 11) <= v <= (3, 14); \
	  print(f"Python {sys.version.split()[0]} ({sys.executable})" + ("" if v == (3, 11) else ": supported; the tests run on 3.11") if ok else ""); \
	  sys.exit(0 if ok else f"csto-brief needs Python 3.11 to 3.14 (the versions its locked wheels exist for), not {sys.version.split()[0]}; set PYTHON=/path/to/python3.11")'
	@# WeasyPrint needs Pango; HarfBuzz-Subset makes its font subsets (and so the PDF) byte-identical.
	@ldconfig -p | grep -q 'libpango-1.0.so.0' && ldconfig -p | grep -q 'libpangoft2-1.0.so.0' \
	  && ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || { echo "installing Pango and HarfBuzz-Subset (apt-get)"; \
	  apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; }
	@echo "creating $(VENV)"
	@rm -rf $(VENV) && $(PYTHON) -m venv $(VENV)
	@n=$$(grep -c '==' requirements.lock); start=$$SECONDS; \
	  echo "installing $$n locked packages from requirements.lock (about a minute; a line every 15 s)"; \
	  ( while sleep 15; do echo "  ... still installing ($$((SECONDS - start)) s)"; done ) & ticker=$$!; \
	  trap 'kill $$ticker 2>/dev/null' EXIT; \
	  $(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements.lock || exit 1; \
	  $(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . || exit 1; \
	  kill $$ticker 2>/dev/null; echo "installed in $$((SECONDS - start)) s"
	@$(PY) -m pip check -q >/dev/null || $(PY) -m pip check
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@echo "registered the Jupyter kernel '$(KERNEL)' (\"Python ($(KERNEL))\") in $(VENV)/share/jupyter/kernels"
	@touch $@

preview: env ## Serve the HTML brief on 127.0.0.1:8000 and rebuild it when report/text/*.md or the data change (PORT=...)
	@$(PY) -m csto_brief.preview --port $(or $(PORT),8000)

docs: env ## Rewrite each notebook's Reads/Writes and the README's notebook table from brief.toml
	@$(PY) -m csto_brief.docs

plan: env ## Say which stages the next `make brief` would run, and why (which input changed), without running them
	@$(PY) -m csto_brief.pipeline --plan

publish: brief ## Freeze this edition (brief.toml version) into data/editions/: its facts and judgments, for the next edition's changes annex
	@$(PY) -m csto_brief.editions publish

rebuild: env ## Rebuild every stage, even those that are up to date
	@$(PY) -m csto_brief.pipeline --force

validate: env ## Check the raw data and its provenance records only
	@$(PY) -c 'from csto_brief.data import check; check(); print("data valid")'

lock: ## Re-resolve the dependencies to their newest versions (jsonschema below 4.24: see environment.yml) and rewrite requirements.lock
	@rm -rf /tmp/csto-lock && $(PYTHON) -m venv /tmp/csto-lock
	@/tmp/csto-lock/bin/pip install -q jupyter ipykernel nbclient nbconvert nbformat pandas numpy geopandas shapely pyproj \
	  pyogrio scipy matplotlib pyyaml weasyprint pytest pytest-xdist nbval pypdf font-source-sans-pro font-source-serif-pro setuptools \
	  'jsonschema<4.24'
	@{ head -2 requirements.lock; /tmp/csto-lock/bin/pip freeze --all | grep -vE "^(-e|pip==|wheel==)" | sort -f; } > requirements.lock.new && mv requirements.lock.new requirements.lock
	@echo "requirements.lock rewritten; now update environment.yml to match (make test checks it)"

kernel: env ## Register the project's Jupyter kernel "Python (csto-brief)" in .venv (make env does it too)
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@echo "kernel '$(KERNEL)' -> $(VENV)/share/jupyter/kernels/$(KERNEL)"

lab: env ## Start JupyterLab on 127.0.0.1 (port LAB_PORT, default 8888) with the project's kernel (Ctrl-C stops it)
	@echo "JupyterLab on http://127.0.0.1:$(LAB_PORT)/lab with the project's kernel; open the link with the token it prints"
	@exec $(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser --ServerApp.root_dir=. $(LAB_ARGS) \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: env ## Measure clean, no-op and one-file builds, peak memory, the tests, and the naive nbconvert way
	@$(PY) scripts/bench.py

clean: ## Forget build state (the next `make brief` re-executes everything); committed outputs stay
	@rm -rf build .pytest_cache
