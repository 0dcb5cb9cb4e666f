"""BBS-4: drag and drop and 上へ/下へ save the order with one UPDATE; お知らせ's
articles never move; the order is what users see."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from bulletin.models import Category
from bulletin.services import ordering
from bulletin.services.errors import BulletinError
from tenants.scoping import operator_scope, tenant_scope
from tests.bulletin.conftest import audit, category_names, make_article, titles

CATEGORY_ORDER = reverse("bulletin:category_order")


@pytest.fixture
def sales_a(tenant_a) -> Category:
    return Category.objects.create(tenant=tenant_a, name="営業", position=2)


def test_bbs4_drag_categories_persists_and_users_see_it(alice_client, bob_client, alice, news_a, events_a, sales_a, events_articles):
    response = alice_client.post(CATEGORY_ORDER, {"order": [sales_a.pk, news_a.pk, events_a.pk]})
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"ok": True, "message": "表示順を保存しました。"}
    assert category_names(news_a.tenant) == ["営業", "お知らせ", "社内行事"]
    body = bob_client.get(reverse("bulletin:index")).content.decode()
    assert body.index("営業") < body.index("お知らせ") < body.index("社内行事")
    entry = audit("bulletin.category.reordered")[0]
    assert (entry.actor_id, entry.data) == (alice.pk, {"order": [sales_a.pk, news_a.pk, events_a.pk]})


def test_bbs4_drag_articles_within_a_category(alice_client, bob_client, events_a, events_articles):
    a, b, c = events_articles
    url = reverse("bulletin:article_order", args=[events_a.pk])
    assert alice_client.post(url, {"order": [c.pk, a.pk, b.pk]}).status_code == HTTPStatus.OK
    assert titles(events_a) == ["新年会", "運動会", "忘年会"]
    body = bob_client.get(reverse("bulletin:index")).content.decode()
    assert body.index("新年会") < body.index("運動会") < body.index("忘年会")


def test_bbs4_order_is_one_update(alice, events_a, events_articles, django_assert_num_queries):
    ids = [a.pk for a in reversed(events_articles)]
    # SAVEPOINT, the locked read, the UPDATE … CASE, the audit INSERT, RELEASE.
    with tenant_scope(alice.tenant), django_assert_num_queries(5) as ctx:
        ordering.reorder_articles(category=events_a, actor=alice, ids=ids)
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "CASE" in updates[0]
    assert titles(events_a) == ["新年会", "忘年会", "運動会"]


def test_bbs4_keyboard_buttons_move_one_step(alice_client, bob_client, events_a, events_articles, news_a, sales_a):
    a, b, c = events_articles
    response = alice_client.post(reverse("bulletin:article_move", args=[c.pk]), {"direction": "up"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("bulletin:edit") + f"#article-{c.pk}"
    assert titles(events_a) == ["運動会", "新年会", "忘年会"]
    alice_client.post(reverse("bulletin:article_move", args=[a.pk]), {"direction": "down"})
    assert titles(events_a) == ["新年会", "運動会", "忘年会"]
    # The first can't go further up: nothing changes.
    alice_client.post(reverse("bulletin:article_move", args=[c.pk]), {"direction": "up"})
    assert titles(events_a) == ["新年会", "運動会", "忘年会"]

    alice_client.post(reverse("bulletin:category_move", args=[sales_a.pk]), {"direction": "up"})
    assert category_names(news_a.tenant) == ["お知らせ", "営業", "社内行事"]
    alice_client.post(reverse("bulletin:category_move", args=[news_a.pk]), {"direction": "down"})
    assert category_names(news_a.tenant) == ["営業", "お知らせ", "社内行事"]
    body = bob_client.get(reverse("bulletin:index")).content.decode()
    assert body.index("営業") < body.index("お知らせ") < body.index("社内行事")
    assert body.index("新年会") < body.index("運動会") < body.index("忘年会")


def test_bbs4_oshirase_articles_cannot_be_moved(alice_client, news_a):
    old = make_article(news_a, "古い", position=0)
    new = make_article(news_a, "新しい", position=-1)
    crafted = alice_client.post(reverse("bulletin:article_order", args=[news_a.pk]), {"order": [old.pk, new.pk]})
    assert crafted.status_code == HTTPStatus.BAD_REQUEST
    assert crafted.json()["error"] == "お知らせカテゴリの記事は移動できません。"
    moved = alice_client.post(reverse("bulletin:article_move", args=[new.pk]), {"direction": "down"}, follow=True)
    assert "お知らせカテゴリの記事は移動できません。" in moved.content.decode()
    assert titles(news_a) == ["新しい", "古い"]
    assert audit("bulletin.article.reordered") == []


def test_bbs4_oshirase_stays_newest_first(alice, news_a):
    from bulletin.services.articles import create_article

    with tenant_scope(alice.tenant):
        for title in ("一番目", "二番目", "三番目"):
            create_article(tenant=alice.tenant, actor=alice, category=news_a, title=title, body="本文", notify=False)
    assert titles(news_a) == ["三番目", "二番目", "一番目"]


def test_bbs4_article_cannot_move_to_another_category(alice_client, events_a, events_articles, sales_a):
    stranger = make_article(sales_a, "営業の記事")
    ids = [a.pk for a in events_articles] + [stranger.pk]
    response = alice_client.post(reverse("bulletin:article_order", args=[events_a.pk]), {"order": ids})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "表示順を保存できませんでした" in response.json()["error"]
    assert titles(events_a) == ["運動会", "忘年会", "新年会"] and titles(sales_a) == ["営業の記事"]


@pytest.mark.parametrize("order", ["empty", "not-a-number", "missing-one", "duplicate"])
def test_bbs4_stale_or_bad_order_changes_nothing(alice_client, news_a, events_a, sales_a, order):
    ids = {
        "empty": [],
        "not-a-number": ["x"],
        "missing-one": [news_a.pk, events_a.pk],
        "duplicate": [news_a.pk, news_a.pk, sales_a.pk],
    }[order]
    response = alice_client.post(CATEGORY_ORDER, {"order": ids})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert category_names(news_a.tenant) == ["お知らせ", "社内行事", "営業"]


def test_bbs4_other_tenants_rows_are_refused(alice_client, news_a, events_a, news_b, article_b):
    response = alice_client.post(CATEGORY_ORDER, {"order": [events_a.pk, news_a.pk, news_b.pk]})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert alice_client.post(reverse("bulletin:article_order", args=[news_b.pk]), {"order": [article_b.pk]}).status_code == HTTPStatus.NOT_FOUND
    assert alice_client.post(reverse("bulletin:article_move", args=[article_b.pk]), {"direction": "up"}).status_code == HTTPStatus.NOT_FOUND
    assert alice_client.post(reverse("bulletin:category_move", args=[news_b.pk]), {"direction": "up"}).status_code == HTTPStatus.NOT_FOUND
    assert category_names(news_a.tenant) == ["お知らせ", "社内行事"]


@pytest.mark.parametrize(
    "name,args",
    [("bulletin:category_order", []), ("bulletin:article_order", ["events"]), ("bulletin:category_move", ["events"]), ("bulletin:article_move", ["article"])],
)
def test_bbs4_order_views_are_post_only_admin_only_login_only(alice_client, bob_client, client, events_a, events_articles, name, args):
    values = {"events": events_a.pk, "article": events_articles[0].pk}
    url = reverse(name, args=[values[a] for a in args])
    assert alice_client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert bob_client.post(url, {"direction": "up", "order": []}).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url).status_code == HTTPStatus.FOUND


def test_bbs4_bad_direction_is_a_japanese_message(alice_client, events_articles):
    response = alice_client.post(reverse("bulletin:article_move", args=[events_articles[1].pk]), {"direction": "left"}, follow=True)
    assert "表示順を保存できませんでした" in response.content.decode()
    assert titles(events_articles[0].category) == ["運動会", "忘年会", "新年会"]


def test_bbs4_service_refuses_oshirase_directly(alice, news_a):
    article = make_article(news_a, "記事")
    with tenant_scope(alice.tenant), pytest.raises(BulletinError):
        ordering.move_article(article=article, actor=alice, direction="down")
    with operator_scope():
        assert audit("bulletin.article.reordered") == []
