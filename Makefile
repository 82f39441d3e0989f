# lägesbild: the two commands a new machine needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := false
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test ui serve lint format docs bench bench-smoke chromium print-tools postgresql systemd clean

# The environment: a venv at the project root, uv inside it, every package from uv.lock.
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# --compile-bytecode: every process then loads .pyc files instead of compiling dagster, pandas,
# scipy and GX from source, which costs ~8 s per run where PYTHONDONTWRITEBYTECODE is set
# (Python then never writes its own cache).
$(VENV)/.synced: pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --frozen --inexact --quiet --compile-bytecode --python $(BIN)/python
	@touch $@

# chromium: the run also prints the report to reports/lagesbild-<year>.pdf (without it the run
# still writes the HTML and says that no PDF was made).
run: $(VENV)/.synced chromium  ## Build the marts and the report (HTML and PDF) from data/raw, print the report path
	$(BIN)/lagesbild run

test: $(VENV)/.synced chromium print-tools postgresql systemd  ## The whole test suite, browser and service tests included
	$(BIN)/pytest

ui: $(VENV)/.synced  ## The Dagster UI on http://localhost:3000 (assets, checks, runs)
	$(BIN)/dagster dev -w workspace.yaml

# The two processes of the server (docs/deploy.md) without systemd, on this machine's
# instance in .dagster_home (SQLite): the UI on http://127.0.0.1:3000 only. Ctrl-C stops both.
serve: $(VENV)/.synced  ## Dagster daemon + webserver as on the server, for a local try
	@trap 'kill $$daemon 2>/dev/null; wait $$daemon 2>/dev/null' EXIT; \
	$(BIN)/dagster-daemon run -w workspace.yaml & daemon=$$!; \
	$(BIN)/dagster-webserver -w workspace.yaml -h 127.0.0.1 -p 3000

lint: $(VENV)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.synced
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: $(VENV)/.synced  ## Regenerate docs/marts.md from the published marts
	$(BIN)/lagesbild docs

bench: $(VENV)/.synced  ## National-scale benchmark against bare DuckDB (about 20-25 minutes on 2 cores)
	$(BIN)/python -m bench.run

bench-smoke: $(VENV)/.synced  ## The benchmark at 1/100 scale, to prove it works
	$(BIN)/python -m bench.run --smoke

# Browser tests drive Debian's Chromium; Playwright can't download its own browser here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The PDF and language tests read the printed report with pdftotext (poppler-utils) and
# spell-check its text with Debian's hunspell and its Swedish dictionary.
print-tools:
	@{ command -v pdftotext && command -v hunspell && test -f /usr/share/hunspell/sv_SE.dic; } \
		>/dev/null 2>&1 || { \
		echo "Installing Debian's poppler-utils, hunspell and hunspell-sv for the report tests"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			poppler-utils hunspell hunspell-sv >/dev/null; }

# The service test (tests/service) starts a throwaway PostgreSQL cluster with Debian's server.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "Installing Debian's postgresql for the service test"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

# systemd-analyze checks the units in deploy/systemd (tests/service/test_units.py).
systemd:
	@command -v systemd-analyze >/dev/null 2>&1 || { \
		echo "Installing Debian's systemd for systemd-analyze"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq systemd >/dev/null; }

clean:
	rm -rf data/marts/* data/marts/.build data/marts/.parquet-* data/marts/.public-* data/marts/.versions reports/*.html reports/*.pdf
	rm -rf .dagster_home/storage .dagster_home/history .dagster_home/logs .dagster_home/schedules
