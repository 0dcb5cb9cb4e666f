"""Issue 22: the i entry's unread badge (HOME-3) comes from the cache, per
user, and is recounted after a publication reaching the user's tenant and
after the user reads an item — in every tab of the user, for every user."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import NoticeKind

HOME = reverse("home")


def badge(client: Client) -> int | None:
    response = client.get(HOME)
    menu = {i["url_name"]: i for i in response.context["global_menu"]}
    return menu["notifications:information"].get("badge")


def unread_counts(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "notifications_informationread" in q["sql"]]


def test_issue22_a_warm_badge_costs_no_query(bob_client, ether_a, make_notice, publish):
    publish(make_notice(NoticeKind.NEWS))
    assert badge(bob_client) == 1  # cold: counted
    with CaptureQueriesContext(connection) as ctx:
        assert badge(bob_client) == 1
    assert unread_counts(ctx) == []


def test_issue22_a_publication_reaches_every_users_badge(bob_client, alice_client, ether_a, make_notice, publish):
    assert not badge(bob_client) and not badge(alice_client)  # 0, cached
    publish(make_notice(NoticeKind.NEWS))
    assert badge(bob_client) == 1 and badge(alice_client) == 1


def test_issue22_reading_in_one_tab_updates_the_other_tab(bob, ether_a, make_notice, publish):
    first = publish(make_notice(NoticeKind.NEWS, title="一つ目"))
    publish(make_notice(NoticeKind.NEWS, title="二つ目"))
    tab1 = Client()
    tab1.force_login(bob)
    tab2 = Client()
    tab2.cookies = tab1.cookies  # the same browser session
    assert badge(tab2) == 2
    tab1.get(reverse("notifications:information_detail", args=[first.pk]))
    assert badge(tab2) == 1


def test_issue22_another_users_read_does_not_change_mine(bob_client, alice_client, ether_a, make_notice, publish):
    publication = publish(make_notice(NoticeKind.NEWS))
    assert badge(bob_client) == 1 and badge(alice_client) == 1
    alice_client.get(reverse("notifications:information_detail", args=[publication.pk]))
    assert not badge(alice_client)
    assert badge(bob_client) == 1
