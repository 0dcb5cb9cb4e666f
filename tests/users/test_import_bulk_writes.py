"""The CSV import's bulk writes (issue 22): each row's fields validated once
(the dry run), the setup URL reversed once, the rows written set-based."""

from __future__ import annotations

import pytest

from accounts.models import LoginId, OrganizationMembership, User
from accounts.services.registration import setup_url, setup_url_maker
from tenants.scoping import operator_scope, tenant_scope
from tests.accounts.test_bulk_mails import _csv
from tests.users.users_helpers import audit, outbox
from users import csv as user_csv
from users.services import user_imports

pytestmark = pytest.mark.django_db


def test_user6_each_rows_fields_are_validated_once(tenant_a, alice, monkeypatch, django_capture_on_commit_callbacks):
    """The apply re-checks only what the database may have changed since the
    dry run; the field rules ran once per row, in the dry run."""
    calls = []
    real = user_csv.validate_fields
    monkeypatch.setattr(user_csv, "validate_fields", lambda data: calls.append(data["email"]) or real(data))
    with tenant_scope(tenant_a):
        upload = user_imports.start_import(tenant=tenant_a, actor=alice, filename="u.csv", content=_csv(20))
        assert upload.status == "valid" and len(calls) == 20
        with django_capture_on_commit_callbacks(execute=True):
            upload = user_imports.request_apply(upload=upload, actor=alice)
    assert upload.status == "done" and upload.to_add == 20
    assert len(calls) == 20


def test_user6_apply_still_refuses_an_id_taken_since_the_dry_run(tenant_a, tenant_b, alice):
    with tenant_scope(tenant_a):
        upload = user_imports.start_import(tenant=tenant_a, actor=alice, filename="u.csv", content=_csv(3))
        assert upload.status == "valid"
    with operator_scope():  # another tenant takes one of the IDs meanwhile
        User.objects.create_user("new0001@a.example.com", "x", tenant=tenant_b)  # with its login ID
        assert LoginId.objects.filter(login_id="new0001@a.example.com").exists()
    with tenant_scope(tenant_a):
        upload = user_imports.request_apply(upload=upload, actor=alice)
    assert upload.status == "invalid"
    with operator_scope():
        assert not User.objects.filter(tenant=tenant_a, email="new0000@a.example.com").exists()


def test_user6_added_users_are_whole_rows(tenant_a, alice, django_capture_on_commit_callbacks):
    """The set-based INSERTs write what bulk_create wrote: defaults, login ID,
    audit row and setup mail per user."""
    with tenant_scope(tenant_a):
        upload = user_imports.start_import(tenant=tenant_a, actor=alice, filename="u.csv", content=_csv(3))
        with django_capture_on_commit_callbacks(execute=True):
            user_imports.request_apply(upload=upload, actor=alice)
    with operator_scope():
        user = User.objects.get(tenant=tenant_a, email="new0002@a.example.com")
        assert LoginId.objects.get(login_id=user.email).user_id == user.pk
        assert not OrganizationMembership.objects.filter(user=user).exists()  # no 代表組織 in the file
    assert user.status == User.Status.PENDING and user.is_active and not user.has_usable_password()
    assert user.date_joined is not None and user.last_name == "山田"
    assert [a.object_id for a in audit("accounts.user.created")][-1] == str(user.pk)
    assert any(m.to == ["notify0002@a.example.com"] for m in outbox("account_setup"))


def test_auth2_setup_url_maker_gives_setup_url():
    make = setup_url_maker()
    for raw in ("abc", "A-b_9" * 8, "0token0x"):
        assert make(raw) == setup_url(raw)
