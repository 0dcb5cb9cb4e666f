"""The user list shows each user's two-step status (未設定 / アプリ /
パスキー and the number of keys), filters by it, and the CSV carries it
(issue 24)."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from mfa.models import WebAuthnCredential
from tests.mfa.helpers import give_totp


def _passkey(user, n):
    return WebAuthnCredential.objects.create(
        user=user, name=f"key{n}", credential_id=f"cred-{user.pk}-{n}".encode(), public_key=b"pk"
    )


def test_list_shows_status_and_filters(alice_client, alice, bob):
    give_totp(bob)
    _passkey(alice, 1)
    _passkey(alice, 2)
    page = alice_client.get(reverse("users:list"))
    assert "2段階認証" in page.text
    assert "パスキー（2）" in page.text and "アプリ" in page.text
    def listed(params):
        text = alice_client.get(reverse("users:list"), {"detail": "1", **params}).text
        return {u.email for u in (alice, bob) if f">{u.email}</a>" in text}

    assert listed({}) == {alice.email, bob.email}
    assert listed({"two_step": "totp"}) == {bob.email}
    assert listed({"two_step": "passkey"}) == {alice.email}
    assert listed({"two_step": "none"}) == set()


def test_list_query_count_does_not_grow_with_factors(alice_client, alice, bob, tenant_a, django_assert_max_num_queries):
    from tests.factories import UserFactory

    alice_client.get(reverse("users:list"))
    with django_assert_max_num_queries(30) as few:
        alice_client.get(reverse("users:list"))
    before = len(few.captured_queries)
    for i in range(5):
        user = UserFactory(tenant=tenant_a)
        give_totp(user)
        _passkey(user, i)
    with django_assert_max_num_queries(before):
        alice_client.get(reverse("users:list"))


def test_csv_carries_the_status(alice_client, alice, bob):
    give_totp(bob)
    response = alice_client.get(reverse("users:export_all"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][-1] == "2段階認証"
    by_id = {r[0]: r[-1] for r in rows[1:]}
    assert by_id[bob.email] == "アプリ" and by_id[alice.email] == "未設定"


def test_a_downloaded_csv_still_uploads(alice_client):
    """The status column is download-only: the upload ignores it."""
    from users.csv import export_headers, parse

    header = ",".join(export_headers())
    result = parse(("\ufeff" + header + "\r\n").encode("utf-8"))
    assert not result.errors
