"""The one paginator and pager (issue 19 item 1): a page past the middle is
read from the other end with the same rows and the same number of queries;
without a total order it is Django's; the pager keeps the query string and
works as links or, inside a form, as goto buttons."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tenants.models import Tenant
from tests.factories import TenantFactory
from web.pagination import Paginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants():
    # Three names for 23 tenants: plenty of ties for the tie-breaker to order.
    for i in range(23):
        TenantFactory(name=f"会社{i % 3}")


def _page_sql(paginator, number: int) -> tuple[list[int], list[str]]:
    paginator.count  # noqa: B018 — the COUNT (cached), outside what is compared
    with CaptureQueriesContext(connection) as ctx:
        rows = [t.pk for t in paginator.page(number)]
    return rows, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("order", [("name", "pk"), ("-name", "-code"), ("-created_at", "-id")])
def test_two_ended_pages_equal_djangos_pages_at_the_same_query_count(tenants, order):
    qs = Tenant.objects.order_by(*order)
    plain, ours = DjangoPaginator(qs, 5), Paginator(qs, 5)
    for number in plain.page_range:
        want, plain_sql = _page_sql(plain, number)
        got, our_sql = _page_sql(ours, number)
        assert got == want, number
        assert len(our_sql) == len(plain_sql) == 1
    # The last page is read from the end (reversed ORDER BY, no OFFSET past
    # the 20 rows before it); page 1 forward.
    _rows, (last_sql,) = _page_sql(ours, ours.num_pages)
    _rows, (first_sql,) = _page_sql(ours, 1)
    assert last_sql.upper().count(" DESC") != first_sql.upper().count(" DESC")
    assert "OFFSET 20" not in last_sql.upper()
    assert ours.page(5).start_index() == 21 and len(ours.page(5)) == 3


@pytest.mark.parametrize("order", [("name", "pk"), ("-created_at", "-id")])
def test_deep_pages_are_a_deferred_join_with_the_same_rows_in_one_query(tenants, order, monkeypatch):
    """Issue 22: from DEFERRED_FROM rows skipped, OFFSET is paid by a subquery
    of primary keys only, so the page's own columns and annotations (the
    user list's two-step status) are computed for its rows alone. Same
    rows, same order, still one query, in both directions."""
    from django.db.models import Value

    from web import pagination

    monkeypatch.setattr(pagination, "DEFERRED_FROM", 5)
    qs = Tenant.objects.order_by(*order).annotate(marker=Value(1))
    plain, ours = DjangoPaginator(qs, 4), Paginator(qs, 4)
    for number in plain.page_range:
        want, _plain_sql = _page_sql(plain, number)
        got, (sql,) = _page_sql(ours, number)
        assert got == want, number
        deep = min((number - 1) * 4, max(0, 23 - number * 4)) >= 5
        assert ("IN (SELECT" in sql.upper()) == deep, (number, sql)
        if deep:  # the outer query (with the annotation) skips nothing
            outer = sql.upper().rsplit(")", 1)[-1]
            assert "OFFSET" not in outer and "LIMIT" not in outer
    assert [t.marker for t in ours.page(3)] == [1, 1, 1, 1]


def test_a_values_list_is_never_deferred(tenants, monkeypatch):
    from web import pagination

    monkeypatch.setattr(pagination, "DEFERRED_FROM", 1)
    qs = Tenant.objects.order_by("name", "pk").values_list("pk", flat=True)
    assert list(Paginator(qs, 4).page(3)) == list(DjangoPaginator(qs, 4).page(3))


def test_without_a_total_order_it_reads_forward_like_django(tenants):
    """Ties read from the other end may come back in another order, so a
    list ordered by a non-unique column alone is paged the plain way."""
    qs = Tenant.objects.order_by("name")
    _rows, (sql,) = _page_sql(Paginator(qs, 5), 5)
    assert "DESC" not in sql.upper()
    assert [t for t in Paginator(list(range(23)), 5).page(5)] == [20, 21, 22]


def _render(page, query: str = "", **extra) -> str:
    request = RequestFactory().get("/list/" + query)
    return render_to_string("web/_pager.html", {"page": page, **extra}, request=request)


def test_pager_links_keep_the_query_and_disable_what_is_not_there():
    paginator = Paginator(list(range(45)), 10)
    html = _render(paginator.page(1), "?status=open&page=1")
    assert "1/5" in html
    assert 'href="?status=open&amp;page=2"' in html and 'href="?status=open&amp;page=5"' in html
    assert html.count('aria-disabled="true"') == 2  # 最初 and 前 on page 1
    middle = _render(paginator.page(3), "?status=open&page=3")
    assert 'href="?status=open&amp;page=1"' in middle and 'href="?status=open&amp;page=4"' in middle
    assert 'aria-disabled="true"' not in middle
    for label in ("最初のページ", "前のページ", "次のページ", "最後のページ"):
        assert label in middle


def test_pager_as_goto_buttons_inside_a_form_and_nothing_for_one_page():
    paginator = Paginator(list(range(45)), 10)
    html = _render(paginator.page(5), "?sort=-name", goto=True, position="bottom")
    assert 'name="goto" value="?sort=-name&amp;page=4"' in html
    assert html.count(" disabled") == 2  # 次 and 最後 on the last page
    assert "ページ送り（下）" in html
    assert _render(Paginator(list(range(10)), 10).page(1)).strip() == ""


def test_audit_log_last_page_reads_from_the_end_at_page_ones_queries(alice, alice_client):
    """The 操作ログ (issue 15) on the kit: the last of three pages costs the
    queries of page 1, is read with the reversed order, shows the oldest
    rows in order, and its pager keeps the search (issue 19)."""
    from audit.models import AuditEntry

    AuditEntry.objects.bulk_create(
        AuditEntry(tenant=alice.tenant, actor=alice, actor_label=alice.email,
                   action="accounts.user.updated", object_label=f"対象{i:03d}")
        for i in range(250)
    )
    query = {"user": "alice", "page": "1"}
    alice_client.get("/audit-log/", query)  # warm the session
    with CaptureQueriesContext(connection) as first:
        alice_client.get("/audit-log/", query)
    with CaptureQueriesContext(connection) as last:
        response = alice_client.get("/audit-log/", {**query, "page": "3"})
    assert len(last.captured_queries) == len(first.captured_queries)
    assert any('"created_at" ASC' in q["sql"] for q in last.captured_queries)
    assert not any('"created_at" ASC' in q["sql"] for q in first.captured_queries)
    assert [e.object_label for e, _label in response.context["rows"]][-1] == "対象000"
    assert len(response.context["rows"]) == 50
    body = response.content.decode()
    assert "3/3" in body and 'href="?user=alice&amp;page=2"' in body
