# Two commands on a fresh machine: `make demo` and `make test` (README.md).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CREDIT := $(VENV)/bin/credit
DEMO   ?= demo
DEMO_ENTITIES ?= 5000
DEMO_START ?= 2026-07-13

.PHONY: install demo test test-fast test-cluster airflow check lock bench clean

install: $(VENV)/.installed

# The lock pins every package; uv installs it in seconds. --compile-bytecode matters here:
# PYTHONDONTWRITEBYTECODE is set on these machines and imports would be twice as slow.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install --quiet --compile-bytecode -p $(PY) -r requirements.lock > $(VENV)/install.log 2>&1 \
	  || (tail -50 $(VENV)/install.log; exit 1)
	$(VENV)/bin/uv pip install --quiet -p $(PY) --no-deps -e .
	touch $@

# The demo keeps its own embedded database under $(DEMO)/.credit, so each `make demo` starts afresh.
demo: export CREDIT_HOME = $(DEMO)/.credit
demo: install
	rm -rf $(DEMO)
	$(CREDIT) sample --entities $(DEMO_ENTITIES) --nights 3 --out $(DEMO)/drop --seed 1 --start $(DEMO_START)
	$(CREDIT) db upgrade
	$(PY) dags/run_locally.py --drop $(DEMO)/drop \
	  $$($(PY) -c "import datetime as d; s=d.date.fromisoformat('$(DEMO_START)'); print(' '.join(str(s+d.timedelta(i)) for i in range(3)))")

test: install
	$(PY) -m pytest

# The database-free tests: a minute or two, for the edit-test loop (one file: seconds).
test-fast: install
	$(PY) -m pytest tests/unit

# The slow test alone: three sample nights through a local CeleryExecutor cluster (Redis, api-server,
# scheduler, dag-processor, triggerer, two workers), compared with `credit nightly` (docs/deploy.md).
test-cluster: install
	$(PY) -m pytest tests/cluster -m cluster -s

# A local Airflow cluster for a person: a sample drop, the UI's address and login printed; Ctrl-C stops it all.
airflow: install
	$(PY) deploy/local_cluster.py --home .credit-cluster

# Lint and types: ruff over everything, mypy --strict over the package, the DAGs and deploy/ (pyproject.toml).
check: install
	$(VENV)/bin/ruff check credit credit_airflow dags tests benchmarks deploy
	$(VENV)/bin/mypy

# Re-pin after editing the dependencies in pyproject.toml (existing pins are kept unless they must move).
lock:
	$(VENV)/bin/uv pip compile --python-version 3.11 pyproject.toml --extra dev -o requirements.lock

# Figures are ratios to a floor measured in the same run (the machine is shared and noisy).
bench: install
	$(PY) -m benchmarks.ingest --entities 1000000
	$(PY) -m benchmarks.grading --entities 1000000
	$(PY) -m benchmarks.draws
	$(PY) -m benchmarks.api

clean:
	rm -rf $(VENV) .credit $(DEMO)
