"""BBS-1: 記事追加 → 確認 → 完了, with メール通知 する/しない."""

from __future__ import annotations

import re
from http import HTTPStatus

from django.urls import reverse

from accounts.models import User
from bulletin.models import Article
from tenants.scoping import operator_scope
from tests.bulletin.conftest import article_count, audit, outbox
from tests.factories import UserFactory
from tests.web import flow

URL = reverse("bulletin:article_add")


def data(category, **changes):
    return {"category": category.pk, "title": "夏季休業のお知らせ", "body": "8/13〜8/16 は休業です。\n詳細: https://example.com/", "notify": "no", **changes}


def test_bbs1_add_page_works_with_oshirase_as_default(alice_client, news_a, events_a):
    response = alice_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    for label in ("記事追加", "カテゴリ", "タイトル", "本文", "メール通知", "する", "しない", "確認", "社内行事"):
        assert label in body
    assert f'<option value="{news_a.pk}" selected>お知らせ</option>' in body


def test_bbs1_add_requires_login(client, db):
    assert client.get(URL).status_code == HTTPStatus.FOUND


def test_bbs1_add_requires_admin(bob_client, news_a):
    assert bob_client.get(URL).status_code == HTTPStatus.FORBIDDEN
    response = bob_client.post(URL, {**data(news_a), "stage": "done"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert article_count(news_a.tenant) == 0


def test_bbs1_other_tenants_category_is_refused(alice_client, news_a, news_b):
    response = alice_client.post(URL, data(news_b))
    assert response.status_code == HTTPStatus.OK
    assert "カテゴリを選択してください。" in response.content.decode()
    with operator_scope():
        assert not Article.objects.exists()


def test_bbs1_confirm_stores_nothing_and_shows_the_input(alice_client, events_a):
    response = alice_client.post(URL, data(events_a))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "記事追加確認" in body and "完了" in body and "戻る" in body
    assert "夏季休業のお知らせ" in body and "社内行事" in body and "しない" in body
    assert "名に送信します" not in body
    assert article_count(events_a.tenant) == 0


def test_bbs1_bad_input_keeps_input_with_japanese_messages(alice_client, news_a):
    response = alice_client.post(URL, data(news_a, title="", body="保持される本文", notify=""))
    body = response.content.decode()
    assert "タイトルを入力してください。" in body
    assert "メール通知を選択してください。" in body
    assert "保持される本文" in body
    long = alice_client.post(URL, data(news_a, title="あ" * 101)).content.decode()
    assert "タイトルは 100 文字以内で入力してください。" in long
    assert article_count(news_a.tenant) == 0


def test_bbs1_back_from_confirm_keeps_the_input(alice_client, events_a):
    confirm = alice_client.post(URL, data(events_a, notify="yes"))
    body = flow.back(alice_client, URL, confirm).content.decode()
    assert "記事追加確認" not in body
    assert 'value="夏季休業のお知らせ"' in body
    assert "8/13〜8/16 は休業です。" in body
    assert f'<option value="{events_a.pk}" selected>社内行事</option>' in body
    assert re.search(r'<input type="radio" name="notify" value="yes"[^>]*checked', body)
    assert article_count(events_a.tenant) == 0


def test_bbs1_bbs5_confirm_with_mail_counts_registered_users_and_shows_the_mail(
    alice_client, alice, bob, tenant_a, charlie, news_a
):
    UserFactory(tenant=tenant_a, status=User.Status.SUSPENDED)
    UserFactory(tenant=tenant_a, status=User.Status.PENDING)
    body = alice_client.post(URL, data(news_a, notify="yes")).content.decode()
    # alice and bob are 有効; the suspended, the pending and charlie (tenant B) are not.
    assert "2 名に送信します" in body
    assert "【My KDDI Biz 総合】社内向け掲示板：夏季休業のお知らせ" in body
    assert "テナントA株式会社 の社内向け掲示板に記事が掲載されました。" in body
    assert "8/13〜8/16 は休業です。" in body


def test_bbs1_the_mail_preview_escapes_as_the_mail_is_written(alice_client, news_a):
    """Issue 23: a title with <b>タグ</b> showed bold in the preview and a
    <script> line vanished; the preview is plain text, as the mail is."""
    body = alice_client.post(
        URL, data(news_a, title="<b>タグ</b>", body="一行目\n<script>alert(1)</script>", notify="yes")
    ).content.decode()
    preview = body[body.index('class="mail-preview"') :]
    assert "&lt;b&gt;タグ&lt;/b&gt;" in preview and "<b>タグ</b>" not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview and "<script>alert(1)" not in preview


def test_bbs1_complete_without_mail(alice_client, alice, events_a, events_articles, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _confirm, response = flow.confirm_then_complete(alice_client, URL, data(events_a))
    with operator_scope():
        article = Article.objects.get(title="夏季休業のお知らせ")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("bulletin:article_done", args=[article.pk])
    assert (article.category_id, article.author_id, article.notify) == (events_a.pk, alice.pk, False)
    assert article.body == "8/13〜8/16 は休業です。\n詳細: https://example.com/"
    # A new article goes to the top of its category.
    with operator_scope():
        assert list(Article.objects.filter(category=events_a).values_list("title", flat=True))[0] == "夏季休業のお知らせ"
    entry = audit("bulletin.article.created")[0]
    assert (entry.actor_id, entry.object_id, entry.data["notify"]) == (alice.pk, str(article.pk), False)
    assert outbox() == []

    done = alice_client.get(response.url).content.decode()
    assert "記事追加完了" in done
    assert reverse("bulletin:article", args=[article.pk]) in done


def test_bbs1_bbs5_complete_with_mail_sends_one_per_registered_user(
    alice_client, alice, bob, charlie, news_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        flow.confirm_then_complete(alice_client, URL, data(news_a, notify="yes"))
    mails = outbox()
    assert sorted(m.to[0] for m in mails) == [alice.email, bob.email]
    assert mails[0].subject == "【My KDDI Biz 総合】社内向け掲示板：夏季休業のお知らせ"
    assert sorted(m.to[0] for m in mailoutbox) == [alice.email, bob.email]


def test_bbs1_done_page_of_other_tenant_is_404(alice_client, article_b):
    assert alice_client.get(reverse("bulletin:article_done", args=[article_b.pk])).status_code == HTTPStatus.NOT_FOUND
