# The two set-up commands: `make demo` (the main job) and `make test`. Each creates .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint samples bench system-deps browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# WeasyPrint needs Pango (a system library); install it where it is missing.
system-deps:
	@scripts/ensure-system-deps

# The same, plus Debian's chromium and chromium-driver: tests/browser drive report.html in them.
browser-deps:
	@scripts/ensure-system-deps --browser

demo: system-deps $(STAMP)
	$(BIN)/orgscan demo --out runs

test: browser-deps $(STAMP)
	$(BIN)/python -m pytest -q

# sample_reports/: two runs of the demo organization a month apart with fixed clocks (byte-reproducible), plus PNGs for the README.
samples: system-deps $(STAMP)
	$(BIN)/python scripts/make_samples.py

# Benchmarks print figures; they are not tests. bench/results.md records the scan figures.
bench: system-deps $(STAMP)
	$(BIN)/python bench/scan_bench.py
	$(BIN)/python bench/render_bench.py

lint: $(STAMP)
	$(BIN)/ruff check scanner tests
	$(BIN)/mypy scanner

clean:
	rm -rf $(VENV) runs
