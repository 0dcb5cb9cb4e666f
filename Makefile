# The two commands (DESIGN.md): `make run` and `make test`.
# uv is installed with pip when missing; `python3 -m uv` works even when the
# pip install's bin directory is not on PATH.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
export UV_PYTHON_DOWNLOADS ?= never
MANAGE := .venv/bin/python manage.py

.PHONY: run test sync bootstrap migrate seed worker beat lint check bench

bootstrap:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

sync: bootstrap
	$(UV) sync --frozen

migrate: sync
	mkdir -p var/mail
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

# The demo: SQLite under var/, tasks run eagerly, mail as .eml files in var/mail/.
run: seed
	$(MANAGE) runserver 127.0.0.1:8000

# The whole suite. With DATABASE_URL / REDIS_URL set (as .ci/run does) it runs
# against PostgreSQL and Redis.
test: sync
	.venv/bin/pytest $(PYTEST_ARGS)

lint: sync
	.venv/bin/ruff check .

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
