"""USER-5: 全ユーザ情報 CSV / 選択ユーザ情報 CSV."""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

from django.urls import reverse

from accounts.models import Organization, OrganizationMembership
from tests.factories import UserFactory
from tests.users.users_helpers import audit
from users import csv as user_csv
from web.csv import FORMULA_TRIGGERS, neutralise, unneutralise


def rows_of(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel on Japanese Windows
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_user5_all_users_csv(alice_client, alice, bob, charlie, tenant_a):
    org = Organization.objects.create(tenant=tenant_a, name="営業部")
    child = Organization.objects.create(tenant=tenant_a, name="東京", parent=org)
    OrganizationMembership.objects.create(tenant=tenant_a, user=bob, organization=child, is_primary=True)
    response = alice_client.get(reverse("users:export_all"))
    assert response.status_code == HTTPStatus.OK
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    # The upload format's columns, then the download-only two-step status (issue 24).
    assert rows[0] == user_csv.export_headers() == [*user_csv.headers(), "2段階認証"]
    assert [r[0] for r in rows[1:]] == ["alice@a.example.com", "bob@a.example.com"]  # not charlie
    bob_row = dict(zip(rows[0], rows[2], strict=True))
    assert bob_row["姓"] == "坊" and bob_row["権限"] == "ユーザ" and bob_row["代表組織"] == "営業部/東京"
    assert audit("accounts.user.exported")


def test_user5_formulas_are_neutralised(alice_client, tenant_a, alice):
    UserFactory(tenant=tenant_a, email="f@a.example.com", affiliation="=1+2", phone_number="")
    UserFactory(tenant=tenant_a, email="g@a.example.com", affiliation="@SUM(A1)")
    UserFactory(tenant=tenant_a, email="h@a.example.com", affiliation="-2", last_name="+cmd")
    rows = rows_of(alice_client.get(reverse("users:export_all")))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=1+2" in cells and "'@SUM(A1)" in cells and "'-2" in cells and "'+cmd" in cells
    assert not any(c and c[0] in "=+-@\t\r\0" for c in cells)


def test_user5_neutralise_every_trigger():
    for trigger in ("=", "+", "-", "@", "\t", "\r", "\0"):
        assert neutralise(trigger + "x") == "'" + trigger + "x"
        assert unneutralise("'" + trigger + "x") == trigger + "x"
    assert neutralise("山田") == "山田"
    # Issue 21 finding 7: a leading apostrophe is escaped too, so a cell's
    # one leading apostrophe is always the escape (was: kept as text).
    assert neutralise("'abc") == "''abc"
    assert unneutralise("'abc") == "abc"


def test_issue21_apostrophe_formula_round_trips_through_the_file():
    """Issue 21 finding 7: ``'=`` was exported as ``'=`` and imported back
    as ``=``; now a download uploaded again gives every value back."""
    values = ["'=", "''", "'", "'+1", "=1+2", "'abc", "営業部"]
    rows = [
        {a: "" for _h, a in user_csv.COLUMNS} | {"email": f"u{i}@a.example.com", "role": "user",
                                                  "affiliation": value}
        for i, value in enumerate(values)
    ]
    content = b"".join(user_csv.export_rows(rows))
    cells = [row[5] for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))][1:]
    assert cells[0] == "''=" and not any(c.startswith(FORMULA_TRIGGERS) for c in cells)
    parsed = user_csv.parse(content)
    assert not parsed.errors
    assert [r.data["affiliation"] for r in parsed.rows] == values


def test_user5_selected_users_csv(alice_client, alice, bob, tenant_a):
    carol = UserFactory(tenant=tenant_a, email="carol@a.example.com")
    alice_client.post(
        reverse("users:list_action"),
        {"page_ids": f"{alice.pk},{bob.pk},{carol.pk}", "selected": [bob.pk, carol.pk], "action": "save"},
    )
    response = alice_client.post(
        reverse("users:list_action"),
        {"page_ids": f"{alice.pk},{bob.pk},{carol.pk}", "selected": [bob.pk, carol.pk],
         "action": "download_selected"},
    )
    assert response.url == reverse("users:export_selected")
    rows = rows_of(alice_client.get(response.url))
    assert [r[0] for r in rows[1:]] == ["bob@a.example.com", "carol@a.example.com"]


def test_user5_selected_csv_without_selection_says_so(alice_client):
    response = alice_client.get(reverse("users:export_selected"), follow=True)
    assert "ユーザを選択してください。" in response.content.decode()


def test_user5_export_requires_admin(bob_client, client, db):
    assert bob_client.get(reverse("users:export_all")).status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("users:export_all")).status_code == HTTPStatus.FOUND


def test_user5_export_streams_in_chunks_with_constant_queries(
    alice_client, tenant_a, alice, django_assert_max_num_queries
):
    from accounts.models import User

    User.objects.bulk_create(
        User(tenant=tenant_a, email=f"x{i:05d}@a.example.com", last_name="山田", first_name="太郎", password="!")
        for i in range(2500)
    )
    response = alice_client.get(reverse("users:export_all"))
    # iterator(chunk_size=2000): the users in 2 chunks, one membership query per chunk.
    with django_assert_max_num_queries(8):
        rows = rows_of(response)
    assert len(rows) == 2502


def test_user5_export_memory_does_not_grow_with_users(tenant_a, alice):
    """Streaming keeps only a chunk in memory: 10x the users, about the same peak."""
    import tracemalloc

    from accounts.models import User
    from tenants.scoping import tenant_scope
    from users import selectors

    def peak(n_more: int) -> int:
        User.objects.bulk_create(
            User(tenant=tenant_a, email=f"m{n_more}-{i:05d}@a.example.com", last_name="山田", first_name="太郎",
                 affiliation="営業部" * 5, password="!")
            for i in range(n_more)
        )
        with tenant_scope(tenant_a):
            tracemalloc.start()
            for _chunk in user_csv.export_rows(selectors.iter_users_for_export(tenant=tenant_a, chunk_size=200)):
                pass
            _current, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return top

    small = peak(300)
    large = peak(2700)  # 3,001 users in all
    assert large < small * 2, (small, large)
