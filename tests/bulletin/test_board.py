"""BBS-1, BBS-5, HOME-2: users read the board; the menu entry follows the articles."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from bulletin.models import Category
from tenants.scoping import operator_scope
from tests.bulletin.conftest import make_article
from tests.factories import TenantFactory

INDEX = reverse("bulletin:index")


def test_bbs2_every_tenant_starts_with_only_oshirase(db):
    tenant = TenantFactory()
    with operator_scope():
        assert list(Category.objects.filter(tenant=tenant).values_list("name", "is_default")) == [("お知らせ", True)]


def test_bbs5_user_reads_categories_and_articles_in_stored_order(bob_client, news_a, events_a, events_articles):
    newer = make_article(news_a, "新しいお知らせ", position=-1)
    make_article(news_a, "古いお知らせ", position=0)
    response = bob_client.get(INDEX)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    order = ["お知らせ", "新しいお知らせ", "古いお知らせ", "社内行事", "運動会", "忘年会", "新年会"]
    positions = [body.index(text) for text in order]
    assert positions == sorted(positions)
    assert reverse("bulletin:article", args=[newer.pk]) in body
    # Users read; only admins write (BBS-5).
    for admin_link in ("記事追加", "カテゴリ追加", reverse("bulletin:edit")):
        assert admin_link not in body


def test_bbs1_admin_sees_the_write_actions(alice_client, news_a):
    body = alice_client.get(INDEX).content.decode()
    for label in ("社内向け掲示板", "記事追加", "カテゴリ追加", "編集", "記事はありません。"):
        assert label in body


def test_bbs5_board_requires_login(client, db):
    response = client.get(INDEX)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/?next=")


def test_bbs5_board_shows_only_own_tenant(bob_client, article_b):
    assert "B社のお知らせ" not in bob_client.get(INDEX).content.decode()


def test_bbs5_article_page(bob_client, events_articles):
    article = events_articles[0]
    response = bob_client.get(reverse("bulletin:article", args=[article.pk]))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "運動会" in body and "社内行事" in body and "本文です。" in body
    assert "削除" not in body


def test_bbs5_article_page_requires_login(client, events_articles):
    url = reverse("bulletin:article", args=[events_articles[0].pk])
    assert client.get(url).status_code == HTTPStatus.FOUND


def test_bbs5_other_tenants_article_is_404(bob_client, article_b):
    assert bob_client.get(reverse("bulletin:article", args=[article_b.pk])).status_code == HTTPStatus.NOT_FOUND


def test_bbs1_body_is_plain_text_with_line_breaks_and_safe_links(bob_client, news_a):
    article = make_article(
        news_a,
        "リンク",
        body='<script>alert(1)</script>\n詳細はhttps://example.com/a?b=1&c=2をご覧ください。\njavascript:alert(1)',
    )
    body = bob_client.get(reverse("bulletin:article", args=[article.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in body
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">'
        "https://example.com/a?b=1&amp;c=2</a>をご覧ください。"
    ) in body
    assert 'href="javascript' not in body


def _grow_board(category: Category, start: int, size: int) -> None:
    for i in range(start, start + size):
        make_article(category, f"記事{i}", position=i)
    Category.objects.bulk_create(
        Category(tenant=category.tenant, name=f"カテゴリ{i}", position=10 + i) for i in range(start, start + size)
    )


@pytest.mark.parametrize("url_name", ["bulletin:index", "bulletin:edit"])
def test_bbs1_board_query_count_is_constant(alice_client, events_a, url_name, django_assert_max_num_queries):
    url = reverse(url_name)
    alice_client.get(url)  # warm the session and the cached header logo (customization)
    counts = []
    for start, size in ((0, 1), (1, 15)):
        _grow_board(events_a, start, size)
        with django_assert_max_num_queries(12) as ctx:
            assert alice_client.get(url).status_code == HTTPStatus.OK
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# HOME-2: the menu entry.


def _menu_has_board(client) -> bool:
    return f'href="{INDEX}"' in client.get(reverse("home")).content.decode()


def test_home2_user_sees_menu_entry_only_while_board_has_an_article(bob_client, news_a):
    assert not _menu_has_board(bob_client)
    article = make_article(news_a, "初めての記事")
    assert _menu_has_board(bob_client)
    with operator_scope():
        article.delete()
    assert not _menu_has_board(bob_client)


def test_home2_admin_always_sees_menu_entry(alice_client, news_a):
    assert _menu_has_board(alice_client)


def test_home2_other_tenants_articles_do_not_show_the_entry(bob_client, article_b):
    assert not _menu_has_board(bob_client)


def test_home2_menu_costs_users_one_query_and_admins_none(alice, bob, rf, news_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.context_processors import portal
    from tenants.scoping import tenant_scope

    for user, expected in ((bob, 1), (alice, 0)):
        request = rf.get("/home/")
        request.user = user
        request.tenant = user.tenant
        with tenant_scope(user.tenant), CaptureQueriesContext(connection) as ctx:
            portal(request)
        # Other entries (the i count, the cached header logo) have queries of
        # their own; this counts the board entry's.
        board = [q for q in ctx.captured_queries if "bulletin_" in q["sql"]]
        assert len(board) == expected, user.email
