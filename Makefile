# Forewarn: `make demo` runs the whole loop on the embedded default; `make test` runs every test.
# Both set everything up first (virtualenv, pinned dependencies, Airflow metadata database).

PYTHON ?= python3.11
# Test processes (pytest-xdist): a module's tests stay in one process, so its fixtures are built once.
TEST_WORKERS ?= 2
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export FOREWARN_REPO := $(CURDIR)
export FOREWARN_HOME ?= $(CURDIR)/var
export AIRFLOW_HOME ?= $(FOREWARN_HOME)/airflow
export AIRFLOW_CONFIG := $(CURDIR)/airflow.cfg
export PYTHONPATH := $(CURDIR)/dags$(if $(PYTHONPATH),:$(PYTHONPATH))
# The warehouse connection comes from the environment (an Airflow Connection in URI/JSON form).
FOREWARN_DATABASE_URL ?= sqlite:///$(FOREWARN_HOME)/warehouse.db
export FOREWARN_DATABASE_URL
export AIRFLOW_CONN_FOREWARN_WAREHOUSE ?= {"conn_type": "generic", "extra": {"sqlalchemy_url": "$(FOREWARN_DATABASE_URL)"}}
# Generated once per checkout into FOREWARN_HOME (mode 600), never committed; read when each recipe runs.
export AIRFLOW__API_AUTH__JWT_SECRET = $(shell cat $(FOREWARN_HOME)/.jwt_secret 2>/dev/null)

.PHONY: help install setup demo test test-fast lint lock chromium airflow-ui clean

help:
	@echo "make demo   - set up, simulate a world and run every DAG end to end (embedded default)"
	@echo "make test   - set up and run all tests"
	@echo "make lint   - ruff (with Airflow's AIR rules)"
	@echo "make lock   - re-resolve requirements.txt from requirements.in"
	@echo "make airflow-ui - open the Airflow UI on the demo's state (airflow standalone)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

$(FOREWARN_HOME)/.jwt_secret:
	@mkdir -p $(FOREWARN_HOME)
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" > $@

$(AIRFLOW_HOME)/airflow.db: $(STAMP) $(FOREWARN_HOME)/.jwt_secret
	@mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/db-migrate.log; exit 1)

setup: $(STAMP) $(AIRFLOW_HOME)/airflow.db

demo: setup
	$(BIN)/forewarn demo

chromium:
	@bash scripts/install_chromium.sh

test: setup chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .

lock:
	$(PYTHON) -m venv /tmp/forewarn-lock-venv
	/tmp/forewarn-lock-venv/bin/python -m pip install --quiet --upgrade pip
	/tmp/forewarn-lock-venv/bin/python -m pip install --quiet -r requirements.in
	/tmp/forewarn-lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^forewarn' > requirements.txt
	rm -rf /tmp/forewarn-lock-venv

# `airflow standalone` starts the api-server, scheduler, dag-processor and triggerer as `airflow ...`
# subprocesses found by name on PATH: the virtualenv's bin must come first, or each dies at once.
airflow-ui: setup
	@echo "Airflow UI on http://localhost:8080 (no login: a local setup where everyone is admin); the demo left its DAGs paused; Ctrl-C to stop."
	PATH="$(BIN):$$PATH" bash scripts/run_until_interrupted.sh $(BIN)/airflow standalone

clean:
	rm -rf $(FOREWARN_HOME)
