"""A local static rule (issue 15): fetching a tenant row by id must name the
tenant. ``get_object_or_404(Model, pk=…)`` and ``Model.objects.get(pk=…)`` on
a tenant model without ``tenant=``/``tenant_id=`` (request.tenant) rely on the
scope alone; the rule wants both walls. Views may not reach for the unscoped
managers (``_base_manager``, ``all_objects``) at all."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from tests.security.world import tenant_models

ROOT = Path(settings.BASE_DIR)
SKIP_PARTS = {".venv", "tests", "migrations", "node_modules", "scripts", "management"}
ID_KWARGS = {"pk", "id", "pk__in", "id__in"}
TENANT_KWARGS = {"tenant", "tenant_id"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP_PARTS & set(rel.parts):
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def findings(tenant_names: set[str]) -> list[str]:
    out = []
    for rel, tree in _sources():
        in_views = "views" in rel.parts or rel.name.startswith("views")
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            kwargs = {k.arg for k in node.keywords if k.arg}
            func = node.func
            where = f"{rel}:{node.lineno}"
            if (
                _name(func) == "get_object_or_404"
                and node.args
                and _name(node.args[0]) in tenant_names
                and not kwargs & TENANT_KWARGS
            ):
                out.append(f"{where}: get_object_or_404({_name(node.args[0])}, …) without tenant=")
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "get"
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "objects"
                and _name(func.value.value) in tenant_names
                and kwargs & ID_KWARGS
                and not kwargs & TENANT_KWARGS
            ):
                out.append(f"{where}: {_name(func.value.value)}.objects.get(pk=…) without tenant=")
            if in_views and isinstance(func, ast.Attribute):
                chain = func.value
                while isinstance(chain, ast.Attribute | ast.Call):
                    chain = chain.func if isinstance(chain, ast.Call) else chain.value
                    if isinstance(chain, ast.Attribute) and chain.attr in (
                        "_base_manager",
                        "all_objects",
                    ):
                        out.append(f"{where}: unscoped manager {chain.attr} in a view")
                        break
    return sorted(set(out))


# Reviewed exceptions, by file and finding (no line numbers), with the reason.
ALLOWED = {
    (
        "users/services/user_imports.py",
        "UserImport.objects.get(pk=…) without tenant=",
    ): "runs in a TenantTask, inside tenant_scope of the upload's tenant",
    (
        "mail/services.py",
        "OutboxMessage.objects.get(pk=…) without tenant=",
    ): "the delivery task's claim of one outbox row, any tenant's or none's, in operator_scope",
    (
        "accounts/views/password.py",
        "unscoped manager all_objects in a view",
    ): "the login-ID lookup before login: no tenant exists yet (unique portal-wide)",
    (
        "accounts/views/registration.py",
        "unscoped manager all_objects in a view",
    ): "the login-ID lookup before login: no tenant exists yet (unique portal-wide)",
}


def _allowed(finding: str) -> bool:
    path, _, rest = finding.partition(":")
    return (path, rest.split(": ", 1)[1]) in ALLOWED


def test_no_id_fetch_of_a_tenant_row_without_its_tenant():
    names = {m.__name__ for m in tenant_models()}
    found = [f for f in findings(names) if not _allowed(f)]
    assert not found, "\n".join(found)


def test_the_rule_catches_the_careless_forms(tmp_path, monkeypatch):
    bad = tmp_path / "leaky" / "views.py"
    bad.parent.mkdir()
    bad.write_text(
        "def v(request, pk):\n"
        "    a = get_object_or_404(Contract, pk=pk)\n"
        "    b = Contract.objects.get(pk=pk)\n"
        "    c = User._base_manager.filter(pk=pk).first()\n"
        "    d = get_object_or_404(Contract, pk=pk, tenant=request.tenant)\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    found = findings({"Contract", "User"})
    assert len(found) == 3, found
