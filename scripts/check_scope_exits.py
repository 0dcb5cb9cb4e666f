#!/usr/bin/env python3
"""One way out of a tenant scope (issue 20): ``tenants.scoping.operator_scope()``.

django-scopes' own exits (``scopes_disabled()``, a manager's
``.with_scopes_disabled()``) and its raw ``scope()`` change only the ORM's
filter, not PostgreSQL's row-level security setting: under production's
posture such code sees no rows (the outbox and delivery sweeps found 0 of 1
lost mails). This check refuses them anywhere but tenants/scoping.py; ruff's
banned-api rule (pyproject.toml, TID251) refuses the imports as well, this
catches the manager method, which no import shows.

Usage: check_scope_exits.py [PATH ...]  (default: the repository). Exit 1
with one line per use found.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {ROOT / "tenants" / "scoping.py"}
SKIP_DIRS = {".venv", "var", "node_modules", "test-artifacts", ".git"}
# Names of django-scopes' ways around a scope.
BANNED = {"with_scopes_disabled", "scopes_disabled", "scope"}


def python_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        for file in sorted(path.rglob("*.py")):
            if not SKIP_DIRS & set(file.relative_to(path).parts):
                yield file


def violations(source: str) -> Iterator[tuple[int, str]]:
    """(line, what) for every scope exit other than operator_scope()."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "with_scopes_disabled":
            yield node.lineno, ".with_scopes_disabled()"
        elif isinstance(node, ast.Attribute) and node.attr in BANNED and _is_django_scopes(node.value):
            yield node.lineno, f"django_scopes.{node.attr}"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django_scopes"):
            for alias in node.names:
                if alias.name in BANNED:
                    yield node.lineno, f"from {node.module} import {alias.name}"


def _is_django_scopes(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "django_scopes"


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or [ROOT]
    found = 0
    for file in python_files(paths):
        if file in ALLOWED:
            continue
        for line, what in sorted(violations(file.read_text(encoding="utf-8"))):
            found += 1
            shown = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
            print(f"{shown}:{line}: {what} leaves the tenant scope without the RLS bypass; use tenants.scoping.operator_scope()")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
