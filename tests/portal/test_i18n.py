"""The English catalogue (REQUIREMENTS intro: Japanese by default, every string
marked for translation so an English UI is one setting away).

Japanese stays the default; a browser asking for English (Accept-Language: en)
or LANGUAGE_CODE=en gets English screens. The catalogue itself is checked with
the standard library only: every entry translated, nothing fuzzy, placeholders
kept, the committed .mo compiled from the committed .po, and every literal that
templates and Python code mark for translation present in it.
"""

from __future__ import annotations

import ast
import gettext
import re
from html import unescape
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.models import User
from mail.models import OutboxMessage
from mail.services import render_mail
from tenants.scoping import operator_scope
from tests.factories import ContractFactory, UserFactory
from users import csv as user_csv

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Each chapter app may keep its own English catalogue in <app>/locale/ (Django
# reads every installed app's locale folder), so chapters built side by side
# never edit one shared file; the checks below read them all.
PO_FILES = [PO, *sorted(ROOT.glob("*/locale/en/LC_MESSAGES/django.po"))]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>|__N__")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- reading the catalogue (stdlib only) ------------------------------------


def _unquote(parts: list[str]) -> str:
    return "".join(ast.literal_eval(p) for p in parts)


def read_po(path: Path | None = None) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags."""
    if path is None:
        return [entry for po in PO_FILES for entry in read_po(po)]
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": []}
        parts: dict[str, list[str]] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                parts[key].append(line)
            else:
                key, _sep, rest = line.partition(" ")
                parts[key] = [rest]
        for name in ("msgctxt", "msgid", "msgid_plural"):
            if name in parts:
                entry[name] = _unquote(parts[name])
        entry["msgstr"] = [_unquote(v) for k, v in sorted(parts.items()) if k.startswith("msgstr")]
        entries.append(entry)
    return entries


def catalogue() -> dict[tuple[str | None, str], list[str]]:
    return {(e["msgctxt"], e["msgid"]): e["msgstr"] for e in read_po() if e["msgid"]}


def visible_text(html: str) -> str:
    """The text a person reads, plus the attribute texts a screen reader reads."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attrs = " ".join(re.findall(r'(?:aria-label|title|alt|placeholder|value)="([^"]*)"', html))
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + attrs)


def strip_data(text: str, *values: str) -> str:
    """Remove the Japanese that is data (tenant and user names), not UI text."""
    for value in sorted(filter(None, values), key=len, reverse=True):
        text = text.replace(value, " ")
    return text


# --- screens -----------------------------------------------------------------


def test_login_page_is_japanese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == HTTPStatus.OK
    assert '<html lang="ja">' in response.text
    assert "ユーザ ID" in response.text
    assert "次へ" in response.text


def test_login_page_in_english_for_an_english_browser(client, db):
    response = client.get(reverse("accounts:login"), **EN)
    assert response.status_code == HTTPStatus.OK
    assert '<html lang="en">' in response.text
    labels = re.findall(r"<label\b[^>]*>(.*?)</label>", response.text, flags=re.S)
    buttons = re.findall(r"<button\b[^>]*>(.*?)</button>", response.text, flags=re.S)
    assert any("User ID" in label for label in labels)
    assert any("Next" in button for button in buttons)
    assert not JAPANESE.search(" ".join(labels + buttons))
    # Nothing on the page is data, so no Japanese may be left anywhere.
    assert not JAPANESE.search(visible_text(response.text)), visible_text(response.text)


def test_login_errors_in_english(client, db):
    response = client.post(reverse("accounts:login"), {"login_id": ""}, **EN)
    assert "Enter your user ID." in response.text
    assert not JAPANESE.search(visible_text(response.text))


def test_language_code_setting_switches_the_default(client, db, settings):
    """LANGUAGE_CODE=en (README): English even without an Accept-Language header."""
    settings.LANGUAGE_CODE = "en"
    response = client.get(reverse("accounts:login"))
    assert "User ID" in response.text
    assert "ユーザ ID" not in response.text


def _menu_labels(response) -> list[str]:
    labels = []
    for item in response.context["global_menu"]:
        labels.append(str(item["label"]))
        labels += [str(child["label"]) for child in item["children"]]
    return labels


def test_admin_home_in_english(alice_client, alice, services):
    """HOME-1 in English: the menu and the home page's own texts."""
    ContractFactory(tenant=alice.tenant, service=services["google_workspace"], number="GW-1")
    response = alice_client.get(reverse("home"), **EN)
    assert response.status_code == HTTPStatus.OK
    labels = _menu_labels(response)
    assert labels[0] == "Home"
    assert {"Users", "User list", "Add user", "Contract information"} <= set(labels)
    assert "Billing site" in response.text
    assert "Log out" in response.text
    text = strip_data(
        visible_text(response.text), alice.tenant.name, alice.full_name, alice.last_name, alice.first_name
    )
    assert not JAPANESE.search(text), text


def test_user_list_in_english(alice_client, alice, bob):
    response = alice_client.get(reverse("users:list"), **EN)
    assert response.status_code == HTTPStatus.OK
    assert "Users" in _menu_labels(response)
    for label in ("User list", "Search", "Download", "Bulk actions", "Status", "Name"):
        assert label in response.text, label
    names = [v for u in (alice, bob) for v in (u.full_name, u.last_name, u.first_name)]
    text = strip_data(visible_text(response.text), alice.tenant.name, *names)
    assert not JAPANESE.search(text), text


def test_user_list_stays_japanese_without_english_preference(alice_client):
    response = alice_client.get(reverse("users:list"))
    assert "ユーザ一覧" in response.text
    assert "User list" not in response.text


def test_mail_stays_japanese_when_an_english_request_causes_it(alice_client, alice):
    """Mail templates are Japanese only: an English admin's action must not put
    English choice labels or dates into them (notifications.render_mail)."""
    pending = UserFactory(tenant=alice.tenant, email="new@a.example.com", status=User.Status.PENDING)
    response = alice_client.post(reverse("users:setup_mail", args=[pending.pk]), **EN)
    assert response.status_code == HTTPStatus.FOUND
    with operator_scope():
        # Compared in Python: the test is about the mail, not about JSON lookups
        # (SQLite, the default, has no JSON containment).
        message = next(m for m in OutboxMessage.objects.order_by("-pk") if pending.email in m.to)
    assert "初期設定" in message.subject
    assert not re.search(r"\b(January|February|March|April|May|June|July|August|September|October|November"
                         r"|December|a\.m\.|p\.m\.)\b", message.body), message.body


def test_rendered_mail_uses_japanese_for_lazy_texts():
    with translation.override("en"):
        subject, body, _html = render_mail("test_notice", {"name": "x", "title": gettext_lazy("ホーム")})
    assert "ホーム" in subject and "ホーム" in body
    assert "Home" not in body


@pytest.mark.parametrize(("written_in", "read_in"), [("en", "ja"), ("ja", "en"), ("en", "en")])
def test_user_csv_header_of_any_ui_language_is_read(written_in, read_in):
    """USER-6: the CSV headers follow the UI language, so a file downloaded in
    English is still read by a Japanese request or a worker, and vice versa."""
    with translation.override(written_in):
        content = user_csv.template_bytes()
    with translation.override(read_in):
        parsed = user_csv.parse(content)
    assert not parsed.errors
    assert parsed.rows[0].data["email"] == "yamada@example.com"
    assert parsed.rows[0].data["last_name"] == "山田"


# --- the catalogue -------------------------------------------------------------


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_has_no_empty_or_fuzzy_entries(po):
    entries = read_po(po)
    header, rest = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: en" in header["msgstr"][0]
    assert rest
    for entry in rest:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert entry["msgstr"] and all(s.strip() for s in entry["msgstr"]), entry["msgid"]
        if entry["msgid_plural"] is not None:
            assert len(entry["msgstr"]) == 2, entry["msgid"]


def test_the_main_catalogue_covers_the_first_chapters():
    assert len(read_po(PO)) > 500


def test_translations_keep_placeholders_and_markup():
    for (_ctx, msgid), msgstrs in catalogue().items():
        for msgstr in msgstrs:
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_translations_are_english():
    """No copied source strings: Japanese may appear only in quoted values
    the English UI must keep (mail subjects, CSV role values, examples)."""
    for (_ctx, msgid), msgstrs in catalogue().items():
        for msgstr in msgstrs:
            unquoted = re.sub(r'"[^"]*"|\([^)]*本社[^)]*\)', "", msgstr)
            assert not JAPANESE.search(unquoted), (msgid, msgstr)


GLOSSARY = {
    "ユーザ ID": "User ID",
    "次へ": "Next",
    "確認": "Confirm",
    "完了": "Complete",
    "戻る": "Back",
    "ユーザ一覧": "User list",
    "ユーザ追加": "Add user",
    "契約情報": "Contract information",
    "ID 数確認/変更申込": "ID count / change request",
    "代表管理者": "Representative administrator",
    "取下": "Withdraw",
    "受付番号": "Reception number",
    "通知先メールアドレス": "Notification email address",
    "初期設定": "Initial setup",
}


@pytest.mark.parametrize(("ja", "en"), GLOSSARY.items())
def test_glossary_terms(ja, en):
    """The key terms of docs/i18n.md stay as chosen."""
    assert catalogue()[(None, ja)] == [en]


def test_compiled_catalogue_matches_the_po():
    """The committed .mo is compiled from the committed .po (compilemessages
    was run): the app reads the .mo, so a stale one would hide translations."""
    for po in PO_FILES:
        with po.with_suffix(".mo").open("rb") as fp:
            compiled = gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]
        for entry in read_po(po):
            ctx, msgid, msgstrs = entry["msgctxt"], entry["msgid"], entry["msgstr"]
            if not msgid:
                continue
            key = f"{ctx}\x04{msgid}" if ctx else msgid
            if len(msgstrs) == 1:
                assert compiled.get(key) == msgstrs[0], (po, msgid)
            else:
                assert [compiled.get((key, i)) for i in range(len(msgstrs))] == msgstrs, (po, msgid)


# --- the catalogue is up to date --------------------------------------------

TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)"""
    r"""(?:\s+context\s+(?P<cq>["'])(?P<ctx>.*?)(?P=cq))?[^%]*%\}"""
)
BLOCK_TAG = re.compile(
    r"\{%\s*blocktrans(?:late)?\b(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*endblocktrans(?:late)?\s*%\}",
    re.S,
)


def _template_files() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "templates").rglob("*.txt"))


def _block_msgid(args: str, body: str) -> tuple[str | None, str]:
    singular = re.split(r"\{%\s*plural\s*%\}", body)[0]
    msgid = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", singular)
    if "trimmed" in args.split():
        msgid = " ".join(line.strip() for line in msgid.splitlines() if line.strip())
    ctx = re.search(r"""context\s+["'](.*?)["']""", args)
    return (ctx.group(1) if ctx else None), msgid


def test_every_template_string_is_in_the_catalogue():
    """A cheap guard that new {% translate %} strings get translated: run
    makemessages and translate (docs/i18n.md) when this fails."""
    known = catalogue()
    missing = []
    for path in _template_files():
        source = path.read_text(encoding="utf-8")
        for m in TRANSLATE_TAG.finditer(source):
            if (m["ctx"], m["msgid"]) not in known:
                missing.append(f"{path.relative_to(ROOT)}: {m['msgid']}")
        for m in BLOCK_TAG.finditer(source):
            key = _block_msgid(m["args"], m["body"])
            if key not in known:
                missing.append(f"{path.relative_to(ROOT)}: {key[1]}")
    assert not missing, "\n".join(missing)


GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}
SKIP_DIRS = {".venv", "tests", "scripts", "var", "migrations", "staticfiles", "test-artifacts", "locale"}


def _python_files() -> list[Path]:
    return [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if not SKIP_DIRS & set(p.relative_to(ROOT).parts)
    ]


def test_every_python_string_is_in_the_catalogue():
    """The same guard for gettext calls in Python code (an alias such as
    ``_l`` would not be extracted by makemessages: call gettext_lazy or ``_``)."""
    known = catalogue()
    missing = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            name = node.func.id
            if name not in GETTEXT_CALLS:
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if name.startswith("pgettext"):
                key = (args[0], args[1]) if len(args) > 1 else (None, None)
            else:
                key = (None, args[0] if args else None)
            if isinstance(key[1], str) and key not in known:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {key[1]}")
    assert not missing, "\n".join(missing)


def test_python_code_marks_user_facing_japanese_for_translation():
    """Every Japanese literal passed to a gettext function is extractable; an
    alias of gettext (``as _l``) hides strings from makemessages."""
    offenders = []
    for path in _python_files():
        source = path.read_text(encoding="utf-8")
        for m in re.finditer(r"from django\.utils\.translation import (.+)", source):
            for alias in re.findall(r"\bas\s+(\w+)", m.group(1)):
                if alias != "_":
                    offenders.append(f"{path.relative_to(ROOT)}: as {alias}")
    assert not offenders, "\n".join(offenders)
