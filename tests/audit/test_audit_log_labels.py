"""The 操作ログ in words (issue 19): the page, its 操作 filter and the CSV show
each chapter's registered labels and object-type names, in Japanese and, for a
browser asking for English, in English; never a raw code."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import translation

from audit import registry
from audit.models import AuditEntry

URL = "/audit-log/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# One code of each chapter, with the object type its entries point at.
SAMPLES = {
    "operator.viewed": ("tenants.Contract", "運用者による閲覧", "Viewed by an operator", "契約", "Contract"),
    "tenants.representative.changed": ("tenants.Tenant", "代表管理者変更", "Representative administrator changed",
                                       "テナント", "Tenant"),
    "accounts.user.created": ("accounts.User", "ユーザ追加", "User added", "ユーザ", "User"),
    "idchange.application.submitted": ("idchange.IdChangeApplication", "ID 数変更申込",
                                       "ID count change requested", "ID 数変更申込", "ID count change request"),
    "notifications.area.changed": ("notifications.AreaSetting", "対象エリア変更", "Target areas changed",
                                   "メール通知サービス設定", None),
    "uploads.file.stored": ("uploads.StoredFile", "ファイルアップロード", "File uploaded", "ファイル", "File"),
    "bulletin.article.created": ("bulletin.Article", "記事追加", "Article added", "掲示板記事", None),
    "inquiries.general.submitted": ("inquiries.GeneralInquiry", "一般のお問い合わせ送信", "General inquiry sent",
                                    "一般のお問い合わせ", None),
    "customization.link.added": ("customization.LinkItem", "リンク追加", "Link added", "リンク", "Link"),
    "customization.site_logo.set": ("customization.Branding", "サイトロゴ設定", "Site logo set",
                                    "画面カスタマイズ設定", None),
}


def _entry(tenant, actor, action, object_type=""):
    return AuditEntry(
        tenant=tenant, actor=actor, actor_label=actor.email, action=action,
        object_type=object_type, object_label="対象",
    )


@pytest.fixture
def every_code(alice):
    """One entry of the tenant for every registered code, platform ones too."""
    AuditEntry.objects.bulk_create(
        _entry(alice.tenant, alice, a.code) for a in registry.all_actions()
    )


@pytest.fixture
def samples(alice):
    AuditEntry.objects.bulk_create(
        _entry(alice.tenant, alice, code, object_type) for code, (object_type, *_rest) in SAMPLES.items()
    )


def _cells(html: str, column: int) -> list[str]:
    rows = re.findall(r"<tr><td>(.*?)</tr>", html, flags=re.S)
    return [re.findall(r"<td>(.*?)</td>", "<td>" + row)[column] for row in rows]


def test_issue_19_the_page_shows_a_label_for_every_tenant_code(alice_client, every_code):
    response = alice_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    shown = _cells(response.text, 2)
    visible = [a for a in registry.all_actions() if a.tenant_visible]
    with translation.override("ja"):
        assert sorted(shown) == sorted(str(a.label) for a in visible)
    # No raw code, and the carrier's own events are not the tenant's.
    assert not any(re.fullmatch(r"[a-z_.]+", cell) for cell in shown)
    assert response.context["page"].paginator.count == len(visible)


def test_issue_19_each_chapters_label_in_japanese_and_english(alice_client, samples):
    japanese = alice_client.get(URL).text
    english = alice_client.get(URL, **EN).text
    for code, (_type, ja, en, _type_ja, _type_en) in SAMPLES.items():
        assert f"<td>{ja}</td>" in japanese, code
        assert f"<td>{en}</td>" in english, code
    assert not any("." in cell for cell in _cells(japanese, 2) + _cells(english, 2))


def test_issue_19_the_filter_lists_every_tenant_code_grouped_by_app(alice_client, samples):
    page = alice_client.get(URL).text
    select = re.search(r'<select name="action".*?</select>', page, flags=re.S).group(0)
    offered = re.findall(r'<option value="([^"]+)"', select)
    visible = [a.code for a in registry.all_actions() if a.tenant_visible]
    assert sorted(offered) == sorted(visible)
    assert "notifications.notice.initial" not in offered
    for group in ("アカウント", "ID 数変更", "社内向け掲示板", "お問い合わせ", "画面カスタマイズ設定", "ファイル"):
        assert f'<optgroup label="{group}">' in select, group
    assert '<option value="customization.site_logo.set">サイトロゴ設定</option>' in select
    english = alice_client.get(URL, **EN).text
    assert '<option value="bulletin.article.created">Article added</option>' in english
    assert '<optgroup label="Internal bulletin board">' in english


@pytest.mark.parametrize("code", ["bulletin.article.created", "customization.link.added", "uploads.file.stored"])
def test_issue_19_filtering_by_a_chapter_code(alice_client, samples, code):
    response = alice_client.get(URL, {"action": code})
    assert not response.context["form"].errors
    assert response.context["page"].paginator.count == 1
    assert _cells(response.text, 2) == [SAMPLES[code][1]]


def test_a_platform_code_is_neither_offered_nor_listed(alice, alice_client):
    AuditEntry.objects.bulk_create([_entry(alice.tenant, alice, "notifications.notice.initial")])
    response = alice_client.get(URL, {"action": "notifications.notice.initial"})
    assert response.context["form"].errors
    assert alice_client.get(URL).context["page"].paginator.count == 0


def _csv(client, **extra) -> list[list[str]]:
    response = client.get(reverse("auditlog:csv"), **extra)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return [line.split(",") for line in body.strip().split("\r\n")]


def test_issue_19_csv_action_and_object_type_columns_in_words(alice_client, samples):
    header, *rows = _csv(alice_client)
    assert header[2:4] == ["操作", "対象種別"]
    by_action = {row[2]: row[3] for row in rows}
    for code, (_type, ja, _en, type_ja, _type_en) in SAMPLES.items():
        assert by_action[ja] == type_ja, code
    assert not any("." in row[2] or "." in row[3] for row in rows)


def test_issue_19_csv_in_english(alice_client, samples):
    header, *rows = _csv(alice_client, **EN)
    assert header[2:4] == ["Action", "Target type"]
    by_action = {row[2]: row[3] for row in rows}
    for code, (_type, _ja, en, _type_ja, type_en) in SAMPLES.items():
        assert en in by_action, code
        if type_en:
            assert by_action[en] == type_en, code
    assert not any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", row[2] + row[3]) for row in rows)
