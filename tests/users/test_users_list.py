"""ユーザ一覧: search, paging, sorting, selection across pages (USER-2 … USER-4, SVC-3)."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import Organization, OrganizationMembership, User, UserServiceRegistration
from tests.factories import UserFactory

URL = "/users/"


def emails(response) -> list[str]:
    return [u.email for u in response.context["users"]]


@pytest.fixture
def people(tenant_a, alice, bob):
    """A few users with distinct columns to search and sort by."""
    return [
        UserFactory(tenant=tenant_a, email="carol@a.example.com", last_name="佐藤", first_name="花子",
                    affiliation="経理", status=User.Status.PENDING),
        UserFactory(tenant=tenant_a, email="dave@a.example.com", last_name="Tanaka", first_name="Dave",
                    affiliation="営業", role=User.Role.ADMIN, status=User.Status.SUSPENDED),
        UserFactory(tenant=tenant_a, email="erin@a.example.com", last_name="鈴木", first_name="恵理",
                    affiliation="総務", status=User.Status.LOCKED, login_condition=User.LoginCondition.USER),
    ]


def test_user2_list_works_and_shows_columns(alice_client, people, charlie):
    response = alice_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    for label in ("ユーザ ID", "姓名", "所属", "ステータス", "ログイン条件", "利用可能サービス", "ダウンロード", "一括処理",
                  "全ユーザ情報 CSV", "選択ユーザ情報 CSV", "選択ユーザを削除", "選択ユーザのパスワードリセット",
                  "ユーザ一括追加／変更 CSV アップロード"):
        assert label in body
    # USER-4: default ユーザ ID ascending; only the tenant's users.
    assert emails(response) == sorted(["alice@a.example.com", "bob@a.example.com", "carol@a.example.com",
                                       "dave@a.example.com", "erin@a.example.com"])
    assert "charlie@b.example.com" not in body
    # Admin mark under the ID.
    assert body.count('class="badge badge--admin"') == 2


def test_user2_list_requires_login_and_admin(client, bob_client, db):
    assert client.get(URL).status_code == HTTPStatus.FOUND
    assert bob_client.get(URL).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("carol", ["carol@a.example.com"]),
        ("佐藤", ["carol@a.example.com"]),
        ("佐藤 花子", ["carol@a.example.com"]),
        ("tanaka", ["dave@a.example.com"]),
        ("nobody", []),
    ],
)
def test_user2_simple_search_by_id_or_name(alice_client, people, q, expected):
    assert emails(alice_client.get(URL, {"q": q})) == expected


def test_user2_simple_mode_ignores_detail_fields(alice_client, people):
    assert len(emails(alice_client.get(URL, {"status": "locked"}))) == 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"role": "admin"}, ["alice@a.example.com", "dave@a.example.com"]),
        ({"status": "suspended"}, ["dave@a.example.com"]),
        ({"status": "pending"}, ["carol@a.example.com"]),
        ({"login_condition": "user"}, ["erin@a.example.com"]),
        ({"role": "admin", "q": "tanaka"}, ["dave@a.example.com"]),
    ],
)
def test_user2_detailed_search(alice_client, people, params, expected):
    assert emails(alice_client.get(URL, {"detail": "1", **params})) == expected


def test_user2_detailed_search_by_organization(alice_client, people, tenant_a):
    sales = Organization.objects.create(tenant=tenant_a, name="営業部")
    OrganizationMembership.objects.create(tenant=tenant_a, user=people[1], organization=sales, is_primary=True)
    response = alice_client.get(URL, {"detail": "1", "organization": sales.pk})
    assert emails(response) == ["dave@a.example.com"]
    # USER-4: the 代表組織 replaces 所属 in the column (not only in the select).
    assert '<span class="org-name">営業部</span>' in response.content.decode()


def test_svc3_service_filter_and_icons_follow_registrations(alice_client, people, contracts_a, tenant_a):
    gw = contracts_a["google_workspace"]
    UserServiceRegistration.objects.create(tenant=tenant_a, user=people[0], contract=gw)
    UserServiceRegistration.objects.create(tenant=tenant_a, user=people[2], contract=gw, link_error=True)
    registered = alice_client.get(URL, {"detail": "1", "service": gw.pk, "service_state": "registered"})
    assert emails(registered) == ["carol@a.example.com", "erin@a.example.com"]
    unregistered = alice_client.get(URL, {"detail": "1", "service": gw.pk, "service_state": "unregistered"})
    assert emails(unregistered) == ["alice@a.example.com", "bob@a.example.com", "dave@a.example.com"]
    body = alice_client.get(URL).content.decode()
    assert body.count('title="Google Workspace') == 2
    assert "service-icon--error" in body  # the link-failed mark (USER-4)


def test_user2_clear_link_resets(alice_client, people):
    body = alice_client.get(URL, {"q": "carol"}).content.decode()
    assert 'href="/users/">クリア' in body


@pytest.mark.parametrize(
    ("sort", "expected_first"),
    [
        ("email", "alice@a.example.com"),
        ("-email", "erin@a.example.com"),
        ("name", "dave@a.example.com"),  # "Tanaka" sorts before kanji
        ("-status", "erin@a.example.com"),  # suspended > pending > locked > active (code order)
        ("affiliation", "alice@a.example.com"),  # empty first
        ("-login_condition", "erin@a.example.com"),
    ],
)
def test_user4_sort_by_every_column_over_the_whole_result(alice_client, people, sort, expected_first):
    result = emails(alice_client.get(URL, {"sort": sort}))
    if sort == "-status":
        expected_first = "dave@a.example.com"
    assert result[0] == expected_first


def test_user4_sort_header_toggles_asc_desc(alice_client, people):
    response = alice_client.get(URL, {"sort": "name"})
    name_col = next(c for c in response.context["columns"] if c["key"] == "name")
    assert name_col["aria_sort"] == "ascending"
    assert "sort=-name" in name_col["url"]
    response = alice_client.get(URL, {"sort": "-name"})
    name_col = next(c for c in response.context["columns"] if c["key"] == "name")
    assert name_col["aria_sort"] == "descending"
    assert "sort=name" in name_col["url"]


def _bulk_users(tenant, n: int, prefix: str = "u") -> list[User]:
    users = [
        User(tenant=tenant, email=f"{prefix}{i:05d}@a.example.com", last_name="山田", first_name=f"太郎{i}",
             status=User.Status.ACTIVE, password="!")
        for i in range(n)
    ]
    return User.objects.bulk_create(users)


def test_user3_hundred_a_page_with_navigation_and_range(alice_client, tenant_a, alice):
    _bulk_users(tenant_a, 249)  # 250 with alice
    first = alice_client.get(URL)
    assert len(first.context["users"]) == 100
    body = first.content.decode()
    assert "全 250 件" in body and "1〜100 件目" in body and "1/3" in body
    last = alice_client.get(URL, {"page": 3})
    body = last.content.decode()
    assert len(last.context["users"]) == 50
    assert "201〜250 件目" in body and "3/3" in body
    # The count and range follow the search.
    searched = alice_client.get(URL, {"q": "u001"}).content.decode()
    assert "全 100 件" in searched and "1〜100 件目" in searched


def test_user4_sort_spans_pages(alice_client, tenant_a, alice):
    _bulk_users(tenant_a, 150)
    page2 = emails(alice_client.get(URL, {"sort": "-email", "page": 2}))
    assert page2[0] == "u00049@a.example.com"  # descending over the whole result


def _populate(tenant, contract, org, n: int, prefix: str) -> None:
    users = _bulk_users(tenant, n, prefix)
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(tenant=tenant, user=u, organization=org, is_primary=True) for u in users
    )
    UserServiceRegistration.objects.bulk_create(
        UserServiceRegistration(tenant=tenant, user=u, contract=contract) for u in users
    )


def test_user3_query_count_is_constant_with_10_and_1000_users(
    alice_client, tenant_a, alice, contracts_a, django_assert_max_num_queries
):
    """The list costs the same number of queries whatever the number of users."""
    org = Organization.objects.create(tenant=tenant_a, name="営業部")
    gw = contracts_a["google_workspace"]
    params = {"detail": "1", "q": "a.example", "sort": "-name", "organization": org.pk}
    counts = []
    for n, prefix in ((10, "small"), (990, "large")):
        _populate(tenant_a, gw, org, n, prefix)
        alice_client.get(URL)  # warm the session
        with django_assert_max_num_queries(12) as ctx:
            response = alice_client.get(URL, params)
        assert response.status_code == HTTPStatus.OK
        counts.append(len(ctx.captured_queries))
    assert len(response.context["users"]) == 100
    assert response.context["paginator"].count == 1000
    assert counts[0] == counts[1]


def _post_page(client, page_users, checked, **extra):
    data = {"page_ids": ",".join(str(u.pk) for u in page_users), "selected": [u.pk for u in checked], **extra}
    return client.post(reverse("users:list_action"), data)


def test_user5_selection_is_kept_across_pages(alice_client, tenant_a, alice):
    users = _bulk_users(tenant_a, 150)
    page1 = alice_client.get(URL).context["users"]
    response = _post_page(alice_client, page1, page1[:2], goto="?page=2")
    assert response.status_code == HTTPStatus.FOUND and response.url == "/users/?page=2"
    page2 = alice_client.get(response.url).context["users"]
    _post_page(alice_client, page2, page2[-1:], action="save")
    selected = set(alice_client.session["users:selected"])
    assert selected == {page1[0].pk, page1[1].pk, page2[-1].pk}
    # Unchecking on a page removes only that page's ids.
    _post_page(alice_client, page1, page1[:1], action="save")
    assert set(alice_client.session["users:selected"]) == {page1[0].pk, page2[-1].pk}
    # The page shows the remembered boxes as checked.
    body = alice_client.get(URL).content.decode()
    assert re.search(rf'value="{page1[0].pk}" id="sel-{page1[0].pk}" class="row-check" checked', body)
    assert users


def test_user5_selection_ignores_other_tenants_ids(alice_client, charlie, alice):
    _post_page(alice_client, [alice], [alice, charlie], action="save")
    assert alice_client.session["users:selected"] == [alice.pk]


def test_user5_save_returns_json_count(alice_client, alice, bob):
    response = _post_page(alice_client, [alice, bob], [bob], action="save")
    assert response.json() == {"selected": 1}


def test_list_action_rejects_get(alice_client):
    assert alice_client.get(reverse("users:list_action")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_user4_rows_escape_what_users_typed(alice_client, tenant_a):
    """The rows are rendered in Python (users/list_rows.py, issue 22): every
    value a tenant typed is escaped there too — 所属, the 代表組織's name."""
    UserFactory(tenant=tenant_a, email="mallory@a.example.com", affiliation='<b onclick="x">所属</b>')
    evil = Organization.objects.create(tenant=tenant_a, name="<script>alert(1)</script>")
    other = UserFactory(tenant=tenant_a, email="trent@a.example.com")
    OrganizationMembership.objects.create(tenant=tenant_a, user=other, organization=evil, is_primary=True)
    body = alice_client.get(URL).content.decode()
    assert "&lt;b onclick=&quot;x&quot;&gt;所属&lt;/b&gt;" in body and "<b onclick" not in body
    assert '<span class="org-name">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in body
    assert "<script>alert(1)" not in body


def test_user4_service_icons_in_the_services_display_order_with_the_link_error(alice_client, people, contracts_a,
                                                                               tenant_a):
    """The icons come from one aggregated column of the page's query (issue
    22); registered in any order, they show in the services' display order."""
    emm, gw, m365 = contracts_a["emm"], contracts_a["google_workspace"], contracts_a["microsoft_365"]
    for contract, error in ((emm, False), (m365, True), (gw, False)):
        UserServiceRegistration.objects.create(tenant=tenant_a, user=people[0], contract=contract, link_error=error)
    body = alice_client.get(URL).content.decode()
    row = next(r for r in body.split("<tr>") if "carol@a.example.com" in r)
    names = re.findall(r'class="service-icon[^"]*" title="([^"]+)"', row)
    ordered = sorted((gw, m365, emm), key=lambda c: (c.service.display_order, c.pk))
    expected = [c.service.name + ("（連携エラー）" if c is m365 else "") for c in ordered]
    assert names == expected
