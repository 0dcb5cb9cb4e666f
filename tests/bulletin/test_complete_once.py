"""BBS-1, BBS-2, BBS-5 with the web kit (issue 19): a 完了 never runs twice.

The browser's Back and 完了 again (or a double click, a second tab) posts the
same 確認 token: one article, one set of mails, one audit entry, and the
完了-already page linking to what the first 完了 created."""

from __future__ import annotations

from http import HTTPStatus

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bulletin.models import Article, Attachment
from tenants.scoping import operator_scope
from tests.bulletin.conftest import article_count, audit, category_names, outbox
from tests.uploads.samples import PDF
from tests.web import flow
from uploads.models import StoredFile
from web.submission import TOKEN_FIELD

ARTICLE_URL = reverse("bulletin:article_add")
CATEGORY_URL = reverse("bulletin:category_add")
ALREADY = "この操作はすでに完了しています"


def article(category, **changes):
    return {"category": category.pk, "title": "夏季休業", "body": "休業です。", "notify": "yes", **changes}


def test_bbs1_bbs5_same_token_twice_one_article_one_set_of_mails(
    alice_client, alice, bob, news_a, django_capture_on_commit_callbacks, mailoutbox
):
    upload = SimpleUploadedFile("予定.pdf", PDF)
    with django_capture_on_commit_callbacks(execute=True):
        confirm, done = flow.confirm_then_complete(alice_client, ARTICLE_URL, {**article(news_a), "attachments": [upload]})
    assert done.status_code == HTTPStatus.FOUND
    with django_capture_on_commit_callbacks(execute=True):
        again = flow.complete(alice_client, ARTICLE_URL, confirm)
    assert again.status_code == HTTPStatus.OK
    body = again.content.decode()
    assert ALREADY in body and "有効期限" not in body
    assert f'href="{done.url}"' in body
    with operator_scope():
        created = Article.objects.get()
        assert Attachment.objects.filter(article=created).count() == 1
    assert done.url == reverse("bulletin:article_done", args=[created.pk])
    assert article_count(news_a.tenant) == 1
    assert len(audit("bulletin.article.created")) == 1
    assert sorted(m.to[0] for m in outbox()) == [alice.email, bob.email]
    assert len(mailoutbox) == 2
    # The link leads to the first 完了's page, which links the article.
    assert reverse("bulletin:article", args=[created.pk]) in alice_client.get(done.url).content.decode()


def test_bbs1_missing_token_shows_confirm_again_and_changes_nothing(alice_client, news_a):
    confirm = alice_client.post(ARTICLE_URL, {**article(news_a), "attachments": [SimpleUploadedFile("a.pdf", PDF)]})
    fields = flow.confirm_fields(confirm)
    del fields[TOKEN_FIELD]
    response = alice_client.post(ARTICLE_URL, fields)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "記事追加確認" in body and "もう一度「完了」を押してください" in body
    assert 'name="submission_token"' in body  # a fresh token to press 完了 with
    assert article_count(news_a.tenant) == 0 and outbox() == [] and audit("bulletin.article.created") == []
    with operator_scope():
        assert not StoredFile.objects.get().attached
    # And 完了 from that page goes through, with the file.
    done = flow.complete(alice_client, ARTICLE_URL, response)
    assert done.status_code == HTTPStatus.FOUND and article_count(news_a.tenant) == 1


def test_bbs1_back_keeps_fields_and_files(alice_client, news_a):
    confirm = alice_client.post(ARTICLE_URL, {**article(news_a), "attachments": [SimpleUploadedFile("残す.pdf", PDF)]})
    body = flow.back(alice_client, ARTICLE_URL, confirm).content.decode()
    with operator_scope():
        key = StoredFile.objects.get().key
    assert "記事追加確認" not in body
    assert 'value="夏季休業"' in body and "休業です。" in body
    assert f'name="attachment_keys" value="{key}" checked' in body and "残す.pdf" in body


def test_bbs2_same_token_twice_adds_the_categories_once(alice_client, tenant_a):
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "1",
            "form-MAX_NUM_FORMS": "20", "form-0-name": "営業"}
    confirm, done = flow.confirm_then_complete(alice_client, CATEGORY_URL, data)
    assert done.status_code == HTTPStatus.FOUND
    again = flow.complete(alice_client, CATEGORY_URL, confirm)
    assert again.status_code == HTTPStatus.OK and ALREADY in again.content.decode()
    assert f'href="{done.url}"' in again.content.decode().replace("&amp;", "&")
    assert category_names(tenant_a) == ["お知らせ", "営業"]
    assert len(audit("bulletin.category.created")) == 1


def test_bbs2_missing_token_shows_confirm_again(alice_client, tenant_a):
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "1",
            "form-MAX_NUM_FORMS": "20", "form-0-name": "営業"}
    fields = flow.confirm_fields(alice_client.post(CATEGORY_URL, data))
    del fields[TOKEN_FIELD]
    body = alice_client.post(CATEGORY_URL, fields).content.decode()
    assert "カテゴリ追加確認" in body and "もう一度「完了」を押してください" in body
    assert category_names(tenant_a) == ["お知らせ"]
