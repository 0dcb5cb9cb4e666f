"""Malformed uploads against every upload endpoint (issue 15; USER-6): 100%
refused with a message, no server error, nothing changed."""

from __future__ import annotations

import hashlib
from collections import Counter
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User, UserImport
from tenants.scoping import operator_scope, tenant_scope
from tests.security.upload_corpus import corpus


def _users_digest() -> str:
    with operator_scope():
        rows = list(User.objects.order_by("pk").values_list())
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_user_csv_import_refuses_the_whole_corpus(alice, alice_client, bob, capsys):
    files = corpus()
    assert len(files) >= 300
    before = _users_digest()
    outcomes: Counter[str] = Counter()
    problems = []
    for kind, name, content in files:
        response = alice_client.post(
            reverse("users:import"), {"file": SimpleUploadedFile(name, content, "text/csv")}
        )
        if response.status_code >= 500:
            problems.append(f"{kind} {name}: {response.status_code}")
            continue
        if response.status_code == HTTPStatus.OK:  # refused by the form, with its message
            assert 'class="errorlist' in response.text or "error" in response.text, kind
            outcomes["form"] += 1
            continue
        assert response.status_code == HTTPStatus.FOUND, (kind, response.status_code)
        with operator_scope():
            upload = UserImport.objects.get(
                tenant=alice.tenant, pk=int(response.url.rstrip("/").split("/")[-1])
            )
        if upload.status in (UserImport.Status.VALIDATING,):
            from users.services.user_imports import validate_import

            with tenant_scope(alice.tenant):  # the queued task's body
                validate_import(upload_id=upload.pk)
            with operator_scope():
                upload.refresh_from_db()
        if upload.status not in (UserImport.Status.INVALID, UserImport.Status.FAILED):
            problems.append(f"{kind} {name}: accepted as {upload.status}")
            continue
        page = alice_client.get(response.url)
        assert page.status_code == HTTPStatus.OK and upload.get_status_display() in page.text
        apply = alice_client.post(reverse("users:import_apply", args=[upload.pk]))
        assert apply.status_code < 500
        outcomes["dry-run refused"] += 1
    assert not problems, "\n".join(problems[:40])
    assert _users_digest() == before, "a malformed upload changed users"
    with capsys.disabled():
        print(f"\nupload corpus: {len(files)} files, {dict(outcomes)}, 0 accepted, 0 server errors")
