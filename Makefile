# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := portal

.PHONY: run test lint format bench-search vendor clean

$(VENV)/.run-deps: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core for the accessibility tests, Lighthouse for bench/lighthouse.py (and the map libraries, whose files are already in static/vendor).
node_modules/.package-lock.json: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund; else echo "npm not found: the accessibility tests will be skipped"; fi

run: $(VENV)/.run-deps
	$(BIN)/flask db upgrade
	$(BIN)/flask seed
	@echo "Serving on http://$(HOST):$(PORT) (no access log: searches are health data)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 1 --threads 4 "portal:create_app()"

test: $(VENV)/.test-deps node_modules/.package-lock.json
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check portal tests bench
	$(BIN)/ruff format --check portal tests bench

format: $(VENV)/.test-deps
	$(BIN)/ruff format portal tests bench
	$(BIN)/ruff check --fix portal tests bench

bench-search: $(VENV)/.test-deps
	$(BIN)/python bench/search.py

# Copy Leaflet, us-atlas and topojson-client from node_modules into static/vendor (after changing a version).
vendor: node_modules/.package-lock.json
	npm run vendor

clean:
	rm -rf $(VENV) instance .pytest_cache
