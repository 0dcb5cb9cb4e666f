"""ユーザ一覧 at scale (USER-3, USER-4; issue 14), structure only (no timing):
pages past the middle are read from the other end with the same rows as the
plain paginator, every sort is served by an index matching its whole ORDER
BY, the ID/name search by the trigram index, and a deep page costs the same
number of queries as page 1."""

from __future__ import annotations

import random

import pytest
from django.core.paginator import Paginator
from django.db import connection

from accounts.models import User
from tenants.scoping import operator_scope, tenant_scope
from users import selectors
from web.pagination import Paginator as TwoEndedPaginator

URL = "/users/"
KANA = ["ア", "イ", "ウ", "エ", "オ"]
STATUSES = ["active", "pending", "suspended", "locked"]
CONDITIONS = ["tenant", "organization", "user"]


def _users(tenant, n: int) -> None:
    rng = random.Random(14)  # noqa: S311 — test data
    User.objects.bulk_create(
        User(
            tenant=tenant, email=f"s{i:04d}@a.example.com", last_name_kana=rng.choice(KANA),
            first_name_kana=rng.choice(KANA), last_name=rng.choice(["山田", "佐藤"]), first_name="太郎",
            affiliation=rng.choice(["営業", "総務", ""]), status=rng.choice(STATUSES),
            login_condition=rng.choice(CONDITIONS), password="!",
        )
        for i in range(n)
    )


SORTS = [f"{sign}{key}" for key in selectors.SORT_FIELDS for sign in ("", "-")]


@pytest.mark.parametrize("sort", SORTS)
def test_user4_two_ended_pages_equal_plain_pages_for_every_sort(tenant_a, alice, sort):
    """Ties (equal 姓名 readings, statuses …) keep the same order read from
    either end: the ユーザ ID tie-breaker makes the order total."""
    _users(tenant_a, 57)
    with tenant_scope(tenant_a):
        qs = selectors.user_search(tenant=tenant_a, filters={}, sort=sort)
        plain, two_ended = Paginator(qs, 10), TwoEndedPaginator(qs, 10)
        for number in plain.page_range:
            assert [u.pk for u in two_ended.page(number)] == [u.pk for u in plain.page(number)], number
        assert two_ended.page(6).start_index() == 51 and len(two_ended.page(6)) == 8


def test_user3_last_page_costs_the_queries_of_page_one(alice_client, tenant_a, django_assert_num_queries):
    _users(tenant_a, 250)
    alice_client.get(URL)  # warm the session
    # 12 before issue 22 dropped the search form's two lookups (簡易検索) and
    # cached the i badge; 9 before the services and 代表組織 became columns of
    # the page's query.
    with django_assert_num_queries(7) as first:
        alice_client.get(URL, {"sort": "-name"})
    with django_assert_num_queries(len(first.captured_queries)):
        response = alice_client.get(URL, {"sort": "-name", "page": 3})
    assert "201〜251 件目" in response.content.decode()
    assert len(response.context["users"]) == 51


def _plan(qs, *off: str) -> str:  # noqa: ANN001
    """EXPLAIN with planner methods switched off: with a handful of test rows
    a scan is cheapest, so the test forbids it to see whether an index can
    serve the query at all."""
    # Incremental sort is a sort too: with a handful of rows the planner may
    # take a narrow filter index (ステータス, ログイン条件: issue 22) and sort
    # the ties, where the question is whether a sort index serves the order.
    off = off or ("enable_seqscan", "enable_sort", "enable_incremental_sort")
    with connection.cursor() as cursor:
        for setting in off:
            cursor.execute(f"SET LOCAL {setting} = off")
    try:
        return qs.explain()
    finally:
        with connection.cursor() as cursor:
            for setting in off:
                cursor.execute(f"RESET {setting}")


INDEX_OF_SORT = {
    # Both give the e-mail order; user_sort_email also carries the key (issue 22).
    "email": ("user_sort_email", "user_unique_email_in_tenant"),
    "name": "user_sort_name",
    "affiliation": "user_sort_affiliation",
    "status": "user_sort_status",
    "login_condition": "user_sort_login_condition",
}


@pytest.mark.postgres
@pytest.mark.parametrize("sort", SORTS)
def test_user4_every_sort_is_an_index_scan_without_sort(tenant_a, alice, sort):
    _users(tenant_a, 30)
    with tenant_scope(tenant_a):
        qs = selectors.user_search(tenant=tenant_a, filters={}, sort=sort)
        plan = _plan(qs[100:200])
    names = INDEX_OF_SORT[sort.lstrip("-")]
    assert any(name in plan for name in ((names,) if isinstance(names, str) else names)), plan
    assert "Sort" not in plan, plan
    assert ("Backward" in plan) == sort.startswith("-"), plan


SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
            "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"]


# Sequential scans forbidden, and reading a whole index instead of the
# table: the sort index of 姓名 holds every searched column and the key
# (issue 22), so with 500 rows a full pass over it is cheapest, as a
# sequential scan would be. At 100,000 users the planner picks the search
# indexes unasked (make bench checks the plans there).
NOT_A_WHOLE_INDEX = ("enable_seqscan", "enable_indexonlyscan")


@pytest.mark.postgres
@pytest.mark.parametrize("q", ["s0999", "佐々木", "山田 花子", "ヤマダ"])
def test_user2_search_condition_is_served_by_the_trigram_index(tenant_a, alice, q):
    """Every arm of the search's OR is an expression of the trigram index
    (sequential scans forbidden, the plan must be a BitmapOr of
    user_search_trgm scans). The planner picks it unasked at 100,000 users
    (make bench checks that plan). Terms of 3+ characters: pg_trgm cannot
    narrow a 2-character term such as 佐藤 (docs/performance.md)."""
    rng = random.Random(2)  # noqa: S311 — test data
    User.objects.bulk_create(
        User(tenant=tenant_a, email=f"s{i:04d}@a.example.com", last_name=rng.choice(SURNAMES),
             first_name=rng.choice(["太郎", "花子", "健太", "陽菜"]), password="!")
        for i in range(500)
    )
    with operator_scope():
        plan = _plan(User.all_objects.filter(selectors.search_condition(q)).only("pk"), *NOT_A_WHOLE_INDEX)
    assert "user_search_trgm" in plan, plan
    assert "Seq Scan" not in plan and "accounts_user_tenant" not in plan, plan


def _named_users(tenant) -> None:  # noqa: ANN001
    rng = random.Random(2)  # noqa: S311 — test data
    User.objects.bulk_create(
        User(tenant=tenant, email=f"s{i:04d}@a.example.com", last_name=rng.choice(SURNAMES),
             first_name=rng.choice(["太郎", "花子", "健太", "陽菜"]), last_name_kana=rng.choice(KANA),
             password="!")
        for i in range(500)
    )


@pytest.mark.postgres
@pytest.mark.parametrize("q", ["佐藤", "田中", "山田 花子", "山田\u3000花子", "ab"])
def test_issue22_two_character_terms_are_served_by_the_bigram_index(tenant_a, alice, q):
    """pg_trgm cannot narrow 2 characters; the bigram index of migration
    0008 does (sequential scans forbidden, its scan must be in the plan)."""
    _named_users(tenant_a)
    with operator_scope():
        plan = _plan(User.all_objects.filter(selectors.search_condition(q)).only("pk"), *NOT_A_WHOLE_INDEX)
    assert "user_search_bigrams" in plan, plan
    assert "Seq Scan" not in plan, plan


@pytest.mark.parametrize("q", ["佐藤", "藤", "佐々木", "山田 花子", "田 花", "S00", "a.example", "ヤマ"])
def test_issue22_the_bigram_prefilter_changes_no_result(tenant_a, alice, q):
    """The same users as the plain substring match, on any database."""
    _named_users(tenant_a)
    with tenant_scope(tenant_a):
        found = set(selectors.user_search(tenant=tenant_a, filters={"q": q}).values_list("pk", flat=True))
        users = list(User.objects.all())
    parts = q.split()

    def matches(u: User) -> bool:
        fields = [u.email, u.last_name, u.first_name, u.last_name_kana, u.first_name_kana]
        if any(q.upper() in f.upper() for f in fields):
            return True
        return len(parts) == 2 and parts[0] in u.last_name and parts[1] in u.first_name

    assert found == {u.pk for u in users if matches(u)}
    assert found or q in ("田 花",)
