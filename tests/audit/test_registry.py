"""操作ログ labels owned by audit (issue 19): every action code the code base
records is declared, with a Japanese and an English label, by its app's
audit_actions.py; under the test settings audit.record refuses an undeclared
code, so any test that records one fails where it does."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from audit import registry
from audit.models import AuditEntry
from audit.services import record, record_many
from notifications.models import Publication
from tenants.scoping import tenant_scope

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "tests", "scripts", "var", "migrations", "staticfiles", "test-artifacts", "locale", "node_modules"}
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]")


def _source_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]


def _binds_action(target: ast.expr) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "action" for n in ast.walk(target))


def _codes_in(node: ast.AST, where: str, codes: dict[str, str], patterns: dict[str, str]) -> None:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and CODE.match(sub.value):
            codes.setdefault(sub.value, where)
        elif isinstance(sub, ast.JoinedStr):
            # f"notifications.notice.{revision}": each placeholder a word.
            pattern = "".join(
                re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z_]+" for part in sub.values
            )
            patterns.setdefault(pattern, where)


def recorded_codes() -> tuple[dict[str, str], dict[str, str]]:
    """Literal action codes in the source (code → file:line), and f-string
    codes as patterns. A code reaches record()/record_many() as an
    ``action=`` argument (of record or of a helper that passes it on), as a
    value assigned to ``action``, or in the loop that binds ``action``."""
    codes: dict[str, str] = {}
    patterns: dict[str, str] = {}
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        _codes_in(keyword.value, where, codes, patterns)
            elif isinstance(node, ast.Assign) and any(_binds_action(t) for t in node.targets):
                _codes_in(node.value, where, codes, patterns)
            elif isinstance(node, ast.For) and _binds_action(node.target):
                _codes_in(node.iter, where, codes, patterns)
    return codes, patterns


def test_the_scan_finds_the_chapters_codes():
    """The scanner itself: codes passed directly, through a helper, through a
    conditional and through a loop, and the notice f-string."""
    codes, patterns = recorded_codes()
    assert {
        "bulletin.article.created",  # record(action=...)
        "customization.site_logo.set",  # _swap_image(action=...)
        "customization.site_logo.reset",  # action = (... if ... else ...)
        "accounts.password.set",  # action=... if ... else ...
        "accounts.setup_mail.sent",  # mail_links(action=...)
        "operator.viewed",
    } <= set(codes)
    assert any(re.fullmatch(p, "notifications.notice.initial") for p in patterns)


def test_issue_19_every_code_in_the_source_is_registered():
    codes, patterns = recorded_codes()
    missing = [f"{where}: {code}" for code, where in codes.items() if registry.get(code) is None]
    assert not missing, "declare these in the app's audit_actions.py:\n" + "\n".join(missing)
    registered = [a.code for a in registry.all_actions()]
    for pattern, where in patterns.items():
        assert any(re.fullmatch(pattern, code) for code in registered), f"{where}: {pattern}"


def test_issue_19_every_registered_code_is_recorded_somewhere():
    """No label for a code nothing records (a renamed code leaves none behind)."""
    codes, patterns = recorded_codes()
    dead = [
        a.code
        for a in registry.all_actions()
        if a.code not in codes and not any(re.fullmatch(p, a.code) for p in patterns)
    ]
    assert not dead


def test_issue_19_notice_revisions_are_registered():
    """notifications records notifications.notice.<revision> from an f-string."""
    for revision in Publication.Revision:
        action = registry.get(f"notifications.notice.{revision}")
        assert action is not None and not action.tenant_visible


def _ja_and_en(label) -> tuple[str, str]:
    with translation.override("ja"):
        ja = str(label)
    with translation.override("en"):
        en = str(label)
    return ja, en


def test_issue_19_every_label_is_japanese_with_an_english_entry():
    actions = registry.all_actions()
    assert len(actions) > 60
    for action in actions:
        ja, en = _ja_and_en(action.label)
        assert JAPANESE.search(ja), action.code
        assert en != ja and not JAPANESE.search(en), (action.code, en)
        group_ja, group_en = _ja_and_en(action.group)
        assert JAPANESE.search(group_ja) and not JAPANESE.search(group_en), (action.code, group_en)
    for model_label, name in registry.object_types().items():
        ja, en = _ja_and_en(name)
        assert JAPANESE.search(ja) and not JAPANESE.search(en), (model_label, en)


def test_issue_19_every_tenant_owned_model_has_an_object_type_name():
    """operator.viewed may point at any tenant row an operator opens in admin."""
    names = registry.object_types()
    for model in apps.get_models():
        if any(f.name == "tenant" for f in model._meta.concrete_fields):
            assert model._meta.label in names, model._meta.label
    for model_label in names:
        apps.get_model(model_label)  # no name for a model that does not exist


def test_object_type_names_fall_back_to_the_model_and_the_stored_label():
    assert registry.object_type_label("customization.LinkItem") == "リンク"
    assert registry.object_type_label("auth.Group") == "グループ"  # verbose_name
    assert registry.object_type_label("gone.Model") == "gone.Model"
    assert registry.object_type_label("") == ""
    assert registry.action_label("gone.thing.done") == "gone.thing.done"


def test_issue_19_record_refuses_an_unregistered_code(alice, bob):
    assert settings.AUDIT_REQUIRE_REGISTERED_ACTIONS
    with pytest.raises(registry.UnregisteredAuditCode, match="nothing.was.declared"):
        record(action="nothing.was.declared", actor=alice, target=bob)
    with pytest.raises(registry.UnregisteredAuditCode, match="nothing.was.declared"):
        record_many(action="nothing.was.declared", actor=alice, targets=[bob])
    with tenant_scope(alice.tenant):
        assert not AuditEntry.objects.exists()


def test_record_refuses_an_undeclared_object_type(alice):
    registry.unregister("accounts")
    try:
        with pytest.raises(registry.UnregisteredAuditCode):
            record(action="operator.viewed", actor=alice, target=alice)
    finally:
        registry.autodiscover()
    assert registry.get("accounts.user.created") is not None


def test_production_writes_an_unknown_code_as_it_is(alice, settings):
    settings.AUDIT_REQUIRE_REGISTERED_ACTIONS = False
    entry = record(action="nothing.was.declared", actor=alice, target=alice)
    assert entry.action == "nothing.was.declared"


def test_a_code_declared_by_two_apps_is_refused():
    with pytest.raises(ImproperlyConfigured, match="bulletin.article.created"):
        registry.register(app="other", group="x", actions={"bulletin.article.created": "x"})
    with pytest.raises(ImproperlyConfigured, match="bulletin.Article"):
        registry.register(app="other", group="x", object_types={"bulletin.Article": "x"})
    assert registry.get("bulletin.article.created").app == "bulletin"
    registry.unregister("other")


def test_the_filter_lists_tenant_codes_by_app_in_app_order():
    groups = registry.tenant_choices()
    with translation.override("ja"):
        names = [str(group) for group, _choices in groups]
    assert names.index("アカウント") < names.index("社内向け掲示板") < names.index("画面カスタマイズ設定")
    codes = [code for _group, choices in groups for code, _label in choices]
    assert len(codes) == len(set(codes))
    assert "notifications.notice.initial" not in codes
    assert registry.platform_codes() == sorted(f"notifications.notice.{r}" for r in Publication.Revision)
