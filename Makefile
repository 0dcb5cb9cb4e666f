# The two commands (DESIGN.md): `make run` and `make test`.
# uv: the `uv` on PATH if it runs (a pyenv shim for another Python exists but
# exits 127), else `python3 -m uv`, else installed with pip. Every target works
# as the first command on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo "$(PYTHON) -m uv")
REQUIRES_PYTHON := $(shell sed -n 's/^requires-python *= *"\(.*\)"/\1/p' pyproject.toml)
export UV_PYTHON_DOWNLOADS ?= never
MANAGE := .venv/bin/python manage.py

.PHONY: run test test-rls drill smoke sync bootstrap migrate seed worker beat lint check bench

bootstrap:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) python find '$(REQUIRES_PYTHON)' >/dev/null 2>&1 || { \
	  echo "Python $(REQUIRES_PYTHON) is needed (pyproject.toml); found $$($(PYTHON) --version 2>&1)."; exit 1; }

# var/ holds the SQLite database and the demo's mail: made here, so every
# target (check, test, run …) works first on a fresh clone.
sync: bootstrap
	$(UV) sync --frozen
	@mkdir -p var/mail

migrate: sync
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

# The demo: SQLite under var/, tasks run eagerly, mail as .eml files in var/mail/.
run: seed
	$(MANAGE) runserver 127.0.0.1:8000

# The whole suite. With DATABASE_URL / REDIS_URL set (as .ci/run does) it runs
# against PostgreSQL and Redis.
# The browser tests' Chromium and font are installed first when missing
# (scripts/ensure_browser.sh); if that is impossible they skip with the reason.
test: sync
	@scripts/ensure_browser.sh
	.venv/bin/pytest $(PYTEST_ARGS)

# ruff, the one way out of a tenant scope (scripts/check_scope_exits.py,
# issue 20), then the layers (.importlinter; README "Layout").
lint: sync
	.venv/bin/ruff check .
	.venv/bin/python scripts/check_scope_exits.py
	.venv/bin/lint-imports --no-cache

check: sync
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check

# Background work for a production-like setup (needs REDIS_URL).
worker: sync
	.venv/bin/celery -A portal worker --loglevel=INFO

beat: sync
	.venv/bin/celery -A portal beat --loglevel=INFO

# The benchmarks (docs/performance.md): every scripts/bench_*.py against raw
# baselines in its own database; PostgreSQL required. Not part of `make test`.
bench: sync
	.venv/bin/python scripts/benchmarks.py $(BENCH_ARGS)

# The suite again as production runs the database (PostgreSQL only): every
# test-client request with row-level security on and a plain application role
# (tests/conftest.py, docs/security.md); browser tests and the isolation sweep
# are left to the plain pass, as are the query-count assertions.
test-rls: sync
	PORTAL_TEST_RLS_POSTURE=1 .venv/bin/pytest -q --ignore=tests/e2e \
	  --deselect tests/security/test_isolation_sweep.py $(PYTEST_ARGS)

# The failure drills (docs/security.md "Failure drills"): Redis and workers
# SIGKILLed under load, the month job run concurrently. PostgreSQL
# (DATABASE_URL; each drill makes its own database beside it) and
# redis-server required; private Redis on ports 6391/6392. A few minutes.
drill: sync
	.venv/bin/python scripts/drills.py $(DRILL_ARGS)

# The portal as deployed, walked over HTTP (scripts/smoke.py, issue 20):
# gunicorn, one Celery worker and beat with the production settings, its own
# database (DATABASE_URL's name + _smoke) served as the plain application
# role with row-level security on, its own Redis db (SMOKE_REDIS_URL, default
# db 13, flushed). Logs in, files an inquiry with an attachment, posts an
# article with mail on, waits for the worker's mails. Under two minutes.
smoke: sync
	cd scripts && ../.venv/bin/python smoke.py
