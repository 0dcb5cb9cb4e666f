"""BBS-2 カテゴリ追加 (＋ rows → 確認 → 完了) and BBS-3 カテゴリ削除."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from bulletin.models import Article, Category
from tenants.scoping import operator_scope
from tests.bulletin.conftest import audit, category_names, make_article
from tests.web import flow

URL = reverse("bulletin:category_add")


def rows(*names, **extra):
    data = {"form-TOTAL_FORMS": str(len(names)), "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "1", "form-MAX_NUM_FORMS": "20"}
    data.update({f"form-{i}-name": name for i, name in enumerate(names)})
    return {**data, **extra}


def test_bbs2_add_page_works(alice_client, news_a):
    response = alice_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "カテゴリ追加" in body and "＋" in body and "確認" in body and 'name="form-0-name"' in body


def test_bbs2_add_requires_login(client, db):
    assert client.get(URL).status_code == HTTPStatus.FOUND


def test_bbs2_add_requires_admin(bob_client, tenant_a):
    assert bob_client.get(URL).status_code == HTTPStatus.FORBIDDEN
    assert bob_client.post(URL, rows("営業", stage="done")).status_code == HTTPStatus.FORBIDDEN
    assert category_names(tenant_a) == ["お知らせ"]


def test_bbs2_plus_adds_a_row_without_js_keeping_what_was_typed(alice_client, tenant_a):
    response = alice_client.post(URL, rows("営業", add_row="1"))
    body = response.content.decode()
    assert 'name="form-0-name"' in body and 'value="営業"' in body
    assert 'name="form-1-name"' in body
    assert "カテゴリ名を入力してください。" not in body  # a new row is not an error
    assert category_names(tenant_a) == ["お知らせ"]


def test_bbs2_rows_confirm_then_complete_in_typed_order(alice_client, alice, tenant_a, events_a):
    confirm = alice_client.post(URL, rows("営業", "", " 総務  部 "))
    body = confirm.content.decode()
    assert "カテゴリ追加確認" in body and "営業" in body and "総務 部" in body
    assert category_names(tenant_a) == ["お知らせ", "社内行事"]

    response = flow.complete(alice_client, URL, confirm)
    assert response.status_code == HTTPStatus.FOUND
    assert category_names(tenant_a) == ["お知らせ", "社内行事", "営業", "総務 部"]
    entries = audit("bulletin.category.created")
    assert [(e.object_label, e.actor_id) for e in entries] == [("営業", alice.pk), ("総務 部", alice.pk)]

    done = alice_client.get(response.url).content.decode()
    assert "カテゴリ追加完了" in done and "営業" in done and "総務 部" in done


def test_bbs2_back_from_confirm_keeps_the_rows(alice_client, tenant_a):
    confirm = alice_client.post(URL, rows("営業", "総務"))
    body = flow.back(alice_client, URL, confirm).content.decode()
    assert 'value="営業"' in body and 'value="総務"' in body
    assert category_names(tenant_a) == ["お知らせ"]


def test_bbs2_duplicates_and_existing_names_are_refused(alice_client, tenant_a, events_a):
    body = alice_client.post(URL, rows("お知らせ", "営業", "営業")).content.decode()
    assert "カテゴリ「お知らせ」は既にあります。" in body
    assert "同じカテゴリ名が複数入力されています。" in body
    assert 'value="営業"' in body
    body = alice_client.post(URL, rows("")).content.decode()
    assert "カテゴリ名を入力してください。" in body
    body = alice_client.post(URL, rows("あ" * 31)).content.decode()
    assert "カテゴリ名は 30 文字以内で入力してください。" in body
    assert category_names(tenant_a) == ["お知らせ", "社内行事"]


def test_bbs2_done_page_of_other_tenant_is_404(alice_client, news_b):
    assert alice_client.get(reverse("bulletin:category_done") + f"?ids={news_b.pk}").status_code == HTTPStatus.NOT_FOUND


# BBS-3: カテゴリ削除


def test_bbs3_delete_warns_with_the_number_of_articles(alice_client, events_a, events_articles):
    response = alice_client.get(reverse("bulletin:category_delete", args=[events_a.pk]))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "このカテゴリ内の記事 3 件もすべて削除されます。" in body and "社内行事" in body
    assert category_names(events_a.tenant) == ["お知らせ", "社内行事"]


def test_bbs3_delete_removes_the_category_and_its_articles(alice_client, alice, events_a, events_articles, news_a):
    kept = make_article(news_a, "残る記事")
    response = alice_client.post(reverse("bulletin:category_delete", args=[events_a.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert category_names(events_a.tenant) == ["お知らせ"]
    with operator_scope():
        assert list(Article.objects.values_list("pk", flat=True)) == [kept.pk]
    entry = audit("bulletin.category.deleted")[0]
    assert (entry.actor_id, entry.data) == (alice.pk, {"name": "社内行事", "articles": 3})


def test_bbs2_oshirase_cannot_be_deleted(alice_client, news_a):
    make_article(news_a, "お知らせ記事")
    url = reverse("bulletin:category_delete", args=[news_a.pk])
    get = alice_client.get(url, follow=True)
    assert "お知らせカテゴリは削除できません。" in get.content.decode()
    post = alice_client.post(url, follow=True)
    assert "お知らせカテゴリは削除できません。" in post.content.decode()
    with operator_scope():
        assert Category.objects.filter(pk=news_a.pk).exists()
        assert Article.objects.filter(category=news_a).count() == 1
    assert audit("bulletin.category.deleted") == []


def test_bbs3_delete_requires_admin_and_own_tenant(bob_client, alice_client, events_a, news_b, client):
    url = reverse("bulletin:category_delete", args=[events_a.pk])
    assert bob_client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert bob_client.post(url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url).status_code == HTTPStatus.FOUND
    other = reverse("bulletin:category_delete", args=[news_b.pk])
    assert alice_client.get(other).status_code == HTTPStatus.NOT_FOUND
    assert alice_client.post(other).status_code == HTTPStatus.NOT_FOUND
    assert category_names(events_a.tenant) == ["お知らせ", "社内行事"]
