# The two set-up commands are `make site` and `make test`; both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# The browser the Playwright tests drive: Debian's Chromium package (never `playwright install`). The GitHub
# workflows point this at the runner's own Chrome.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true

.PHONY: install browser site data serve test lint sample sample-site dictionary bench bench-real bench-combined bench-pages bench-data lock clean

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

## install: create .venv and install the pinned dependencies (the other targets do this on first use)
install: $(INSTALLED)

## browser: install Debian's chromium for the browser tests when $(CHROMIUM) is missing (apt-get, as root or via sudo)
browser: $(CHROMIUM)

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium

# RAW: the raw files or folders to build from (build_data.py --raw), e.g. make site RAW=../other/raw; default data/raw/.
RAW ?=
RAW_OPTION := $(if $(strip $(RAW)),--raw $(RAW))

## site: install, build the pages and data from data/raw/ (SLMPD's files; or RAW=...), then the site into site/
site: $(INSTALLED)
	$(BIN)/python build_data.py $(RAW_OPTION)

## data: the pages and data only (build/docs/), no MkDocs; RAW=... as for site
data: $(INSTALLED)
	$(BIN)/python build_data.py --no-site $(RAW_OPTION)

## serve: serve the site last built into site/ (by make site, make sample-site or build_data.py) on
## http://127.0.0.1:8000, without rebuilding it
serve: $(INSTALLED)
	@test -f site/index.html || { echo "site/ holds no site yet: run make site (or make sample-site) first"; exit 1; }
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory site 8000

## test: lint and the whole test suite (real-data tests read data/raw/); PYTEST_ARGS passes options to pytest,
## e.g. PYTEST_ARGS='-m "not real_data"' leaves out the few tests that still read ../shared/data/
PYTEST_ARGS ?=
test: $(INSTALLED) $(CHROMIUM) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff on the code (checks and formatting); zizmor (offline: no GitHub token, no network) and the workflow JSON schema on .github/workflows/
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/zizmor --offline --no-progress --persona auditor .github/workflows/
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

## sample: write the synthetic sample (36 months in SLMPD's legacy format) into sample-raw/
SAMPLE_RAW := sample-raw
sample: $(INSTALLED)
	$(BIN)/python scripts/make_sample.py --out $(SAMPLE_RAW)

## sample-site: build the site from the sample instead of data/raw/ (every page says it is sample data)
sample-site: sample
	$(BIN)/python build_data.py --raw $(SAMPLE_RAW)

## dictionary: rewrite the published-files section of data/README.md from crimesite/schema.py
dictionary: $(INSTALLED)
	$(BIN)/python scripts/update_dictionary.py

## bench: measure the build (first build, unchanged rebuild, one month added, memory, read floor, page weight) on
## synthetic files in the SLMPD formats: SCALE=1 is 650,000 rows, SCALE=10 6.5 million, SCALE="1 10" both and
## their scaling; the generated files are kept in benchmarks/output/
SCALE ?= 1
bench: $(INSTALLED)
	$(BIN)/python benchmarks/build.py --scale $(SCALE)

## bench-real: the same figures for the 144 real legacy files in data/raw/legacy/
bench-real: $(INSTALLED)
	$(BIN)/python benchmarks/build.py --raw data/raw/legacy

## bench-combined: what SLMPD's combined 2021-2023 release (synthetic, 180,000 rows at SCALE=1) adds to the data
## stage of data/raw/: data stage, read stage and peak memory with and without it
bench-combined: $(INSTALLED)
	$(BIN)/python benchmarks/combined_release.py --scale $(SCALE)

## bench-pages: load one page of each kind of site/ (built first if missing) in Chromium, desktop and a throttled
## phone, and print bytes before the first chart, first paint, first chart, LCP, CLS, TBT and when Vega arrives;
## PAGELOAD_ARGS passes options, e.g. PAGELOAD_ARGS='--site ../other/site --runs 5 --pages home,crime'
PAGELOAD_ARGS ?=
bench-pages: $(INSTALLED) $(CHROMIUM)
	$(BIN)/python benchmarks/pageload.py $(PAGELOAD_ARGS)

## bench-data: the cold data stage of data/raw/ (empty cache, no MkDocs), each stage's wall and CPU seconds;
## RUNS=3 prints the lowest of three, NO_SVG=1 leaves the static SVGs out
RUNS ?= 1
bench-data: $(INSTALLED)
	$(BIN)/python benchmarks/data_stage.py --runs $(RUNS) $(if $(NO_SVG),--no-svg)

## lock: re-pin requirements.txt from requirements.in (needs the package registry)
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -r requirements.in
	.lock-venv/bin/python -m pip freeze --exclude-editable > requirements.txt
	rm -rf .lock-venv

clean:
	rm -rf build build.tmp build.old site site.tmp site.old .cache sample-raw
