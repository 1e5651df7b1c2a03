# Huying 呼应 — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Development defaults; production sets its own environment (README "Deployment").
DEV_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run test test-fast browser venv venv-runtime setup lint typecheck checks pytest pytest-fast test-browser serve messages demo bench clean

# Two stamps: what the platform needs to run (`make run`, `make serve`: requirements.txt),
# and the test and development tools on top (everything else: requirements-dev.txt).
# A first `make run` installs only the first.
venv: $(VENV)/.installed
venv-runtime: $(VENV)/.runtime

# The pinned wheels go in with uv (a few seconds; pip takes ~20 s for the same set), itself
# installed into the venv by pip; where uv cannot be had or cannot reach an index that pip
# can (pip.conf), pip installs them instead. Same pins, same packages either way.
UV_VERSION := 0.13.9
INSTALL = $(VENV)/bin/uv pip install --quiet --python $(PY) -r $(1) 2>/dev/null \
	  || { echo "uv could not install $(1): pip does"; $(PY) -m pip install --quiet -r $(1); }

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Huying needs Python 3.11 or newer (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION) || echo "uv not available: pip installs the requirements"
	$(call INSTALL,requirements.txt)
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(call INSTALL,requirements-dev.txt)
	touch $@

# Migrate the embedded database, compile translations, load the demo data (idempotent): the
# organisations and people at once, the rest in a background process whose progress bar every
# page shows until it is done (docs/operations.md "First start"; log in var/demo-load.log).
setup: venv-runtime
	@mkdir -p var
	$(PY) -m huying.core.catalogues
	$(DEV_ENV) $(PY) manage.py migrate --no-input --skip-checks
	$(DEV_ENV) $(PY) manage.py demo_data --background --skip-checks

# Write the compiled modules (__pycache__, ignored by git) even where the environment sets
# PYTHONDONTWRITEBYTECODE: uv installs without compiling, so otherwise every process of the
# first start (migrate, the demo loader, the server and its reloaded child) compiles Django,
# its libraries and the project from source again, ~1.5 s each on two cores.
setup run serve: export PYTHONDONTWRITEBYTECODE :=

run: setup
	@echo "Huying is serving on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Production-style server on the same data: DEBUG off, gunicorn, WhiteNoise for static files.
serve: setup
	DEBUG=0 HTTPS=$${HTTPS:-0} SECRET_KEY=$${SECRET_KEY:?set SECRET_KEY} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	  $(PY) manage.py collectstatic --no-input --verbosity 0
	DEBUG=0 HTTPS=$${HTTPS:-0} SECRET_KEY=$${SECRET_KEY:?set SECRET_KEY} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	  $(VENV)/bin/gunicorn huying.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

# The production layout on this machine, one command (README "Deployment", docs/operations.md
# "Production layout"): PostgreSQL and Redis (started if down), migrate, static files,
# translations, then under supervisord gunicorn (1 master + WEB_WORKERS=2 workers × WEB_THREADS=4 on
# HOST:PORT), 2 Celery workers and Celery beat, each restarted if it dies. PROD_DEMO=1 loads
# the demo. DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/huying.
.PHONY: prod prod-stop prod-status
prod: venv
	@HOST=$(HOST) PORT=$(PORT) scripts/prod start

prod-stop:
	@HOST=$(HOST) PORT=$(PORT) scripts/prod stop

prod-status:
	@HOST=$(HOST) PORT=$(PORT) scripts/prod status

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(DEV_ENV) $(VENV)/bin/mypy huying bench

checks: venv
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(DEV_ENV) $(PY) manage.py compilemessages
	$(DEV_ENV) $(PY) manage.py check

# Each pytest worker imports the whole suite: keep the compiled modules (and pytest's
# rewritten test modules) in __pycache__, ignored by git, even where the environment sets
# PYTHONDONTWRITEBYTECODE; without them every run compiles everything again in every worker.
# Workers steal tests from each other, so neither sits idle while the other finishes a
# long module.
pytest pytest-fast typecheck checks: export PYTHONDONTWRITEBYTECODE :=
PYTEST := $(VENV)/bin/pytest -n $${PYTEST_WORKERS:-2} --dist worksteal

pytest: venv
	$(PYTEST) $(PYTEST_ARGS)

# Debian's Chromium and CJK fonts for the browser tests: installed when run as root (as CI
# does), otherwise make stops at once with the one command to run.
browser:
	@scripts/ensure-browser

# The whole suite: lint, type check, migrations and translations, unit, API and browser tests.
test: browser lint typecheck checks pytest

# The inner loop: lint, types, migrations and translations, unit and API tests without the
# browser and the demo-scale loads.
pytest-fast: venv
	$(PYTEST) -m "not browser and not slow" $(PYTEST_ARGS)

test-fast: lint typecheck checks pytest-fast

# Refresh the message catalogue after changing user-facing strings (needs GNU gettext).
# -P keeps the app directory off sys.path.
messages: venv
	@for app in huying/*/; do \
	  [ -f $$app/apps.py ] || continue; mkdir -p $$app/locale; \
	  (cd $$app && DEBUG=1 DJANGO_SETTINGS_MODULE=huying.settings PYTHONPATH=$(CURDIR) \
	    $(CURDIR)/$(PY) -P -m django makemessages --locale zh_Hans --no-obsolete --no-location) || exit 1; \
	done

# Benchmarks print tables; they are not tests. Figures are recorded in docs/.
# The work-order benchmark needs PostgreSQL: BENCH_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/huying_bench; created and migrated by the bench),
# BENCH_ARGS for its options (e.g. BENCH_ARGS="--orders 100000 --only lists,stats"). Its
# intake part runs a second time on the embedded SQLite (var/bench-intake.sqlite3), against
# SQLite's own raw insert rate (issue 13 point 3).
# The consultation benchmark starts gunicorn on a loopback port; with REDIS_URL set its cache is Redis.
bench: venv
	$(DEV_ENV) $(PY) -m bench.classifier
	$(PY) -m bench.workorders $(BENCH_ARGS)
	@mkdir -p var
	BENCH_DATABASE_URL=sqlite:///$(CURDIR)/var/bench-intake.sqlite3 $(PY) -m bench.workorders --only intake
	$(PY) -m bench.proposals
	$(PY) -m bench.duty
	$(PY) -m bench.consultations
	$(DEV_ENV) $(PY) -m bench.hot_topics
	$(PY) -m bench.debates
	$(PY) -m bench.cockpit
	$(PY) -m bench.sweep
	$(PY) -m bench.topics_refresh
	$(PY) -m bench.first_start

clean:
	rm -rf var/*.sqlite3* var/static var/media

# Chaos test of the production layout (docs/operations.md "Chaos test"; not part of `make
# test`): its own PostgreSQL cluster and Redis (CHAOS_PORT+1, +2; default 8650), 8 clients
# for CHAOS_SECONDS (240) while a gunicorn worker, a Celery worker, beat and Redis are killed
# and PostgreSQL restarted; checks nothing was lost or done twice. Exit 1 on failure.
.PHONY: chaos
chaos: venv
	$(PY) scripts/chaos
