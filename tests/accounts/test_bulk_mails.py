"""Bulk setup / reset mails (AUTH-2, AUTH-9, USER-6): a constant number of
queries whatever the number of users, outbox rows in the caller's transaction."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from accounts.models import AccountToken, User
from accounts.services.errors import AccountError
from accounts.services.registration import send_setup_mail, send_setup_mails
from accounts.services.tokens import find_valid_token
from mail.models import OutboxMessage
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import UserFactory
from tests.users.users_helpers import audit, outbox
from users import csv as user_csv
from users.services import user_imports, user_security

# Queries of one sync import apply of N new users (claim, plan, user/login
# ID/membership/audit writes, tokens, outbox, status updates), whatever N.
IMPORT_APPLY_MAX_QUERIES = 23
# Queries of one bulk reset-mail send for N selected users.
BULK_RESET_MAX_QUERIES = 15


def _csv(n: int) -> bytes:
    lines = [",".join(user_csv.headers())] + [
        f"new{i:04d}@a.example.com,山田,花子,ヤマダ,ハナコ,経理,ユーザ,0312345678,notify{i:04d}@a.example.com,"
        for i in range(n)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _tokens(**filters) -> list[AccountToken]:
    with operator_scope():
        return list(AccountToken.objects.filter(**filters))


@pytest.mark.parametrize("rows", [50, 500])
def test_user6_import_apply_runs_a_constant_number_of_queries(
    rows, tenant_a, alice, django_assert_max_num_queries, django_capture_on_commit_callbacks, mailoutbox
):
    """USER-6 / AUTH-2: the apply of N new users (setup mails included) takes
    the same bounded number of queries for 50 and for 500 rows."""
    with tenant_scope(tenant_a):
        upload = user_imports.start_import(tenant=tenant_a, actor=alice, filename="u.csv", content=_csv(rows))
        assert upload.status == "valid"
        with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(
            IMPORT_APPLY_MAX_QUERIES
        ):
            upload = user_imports.request_apply(upload=upload, actor=alice)
    assert upload.status == "done" and upload.to_add == rows
    mails = outbox("account_setup")
    assert len(mails) == rows
    assert mails[0].to == ["notify0000@a.example.com"]
    raw = re.search(r"/setup/([\w-]+)/", mails[0].body).group(1)  # only the hash is stored
    assert find_valid_token(raw, purpose=AccountToken.Purpose.SETUP).user.email == "new0000@a.example.com"
    assert len(_tokens(purpose=AccountToken.Purpose.SETUP)) == rows
    assert len(audit("accounts.setup_mail.sent")) == rows
    assert len(audit("accounts.user.created")) == rows
    assert len(mailoutbox) == rows  # delivered after commit, in batches


def test_auth2_bulk_setup_mails_roll_back_with_their_cause(tenant_a, alice, django_capture_on_commit_callbacks,
                                                          mailoutbox):
    """MAIL-1: the outbox rows are in the caller's transaction — a rollback sends nothing."""
    users = UserFactory.create_batch(3, tenant=tenant_a, status=User.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        assert send_setup_mails(users=users, actor=alice) == 3
        with operator_scope():
            assert OutboxMessage.objects.count() == 3
        raise RuntimeError("the cause fails")
    assert outbox() == [] and mailoutbox == []
    assert _tokens() == [] and audit("accounts.setup_mail.sent") == []


def test_auth2_bulk_setup_mails_revoke_older_links(tenant_a, alice):
    users = UserFactory.create_batch(2, tenant=tenant_a, status=User.Status.PENDING)
    send_setup_mail(user=users[0], actor=alice)
    first = _tokens(user=users[0])[0]
    send_setup_mails(users=users, actor=alice)
    first.refresh_from_db()
    assert first.revoked_at is not None
    open_tokens = _tokens(revoked_at__isnull=True)
    assert sorted(t.user_id for t in open_tokens) == sorted(u.pk for u in users)


def test_auth2_bulk_setup_mails_refuse_a_finished_user_and_write_nothing(tenant_a, alice, bob):
    pending = UserFactory(tenant=tenant_a, status=User.Status.PENDING)
    with pytest.raises(AccountError):
        send_setup_mails(users=[pending, bob], actor=alice)
    assert outbox() == [] and _tokens() == []


@pytest.mark.parametrize("selected", [5, 40])
def test_user6_bulk_password_reset_runs_a_constant_number_of_queries(
    selected, tenant_a, alice, django_assert_max_num_queries, django_capture_on_commit_callbacks, mailoutbox
):
    """選択ユーザのパスワードリセット: reset mails to active users, setup mails to
    未設定 ones, suspended skipped — in a bounded number of queries."""
    active = UserFactory.create_batch(selected, tenant=tenant_a, status=User.Status.ACTIVE)
    pending = UserFactory.create_batch(selected, tenant=tenant_a, status=User.Status.PENDING)
    suspended = UserFactory(tenant=tenant_a, status=User.Status.SUSPENDED)
    ids = [u.pk for u in [*active, *pending, suspended]]
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(
        BULK_RESET_MAX_QUERIES
    ):
        result = user_security.reset_passwords(tenant=tenant_a, actor=alice, user_ids=ids)
    assert len(result.deleted) == 2 * selected and [e for e, _r in result.skipped] == [suspended.email]
    assert len(outbox("password_reset")) == selected and len(outbox("account_setup")) == selected
    assert len(audit("accounts.password_reset.requested")) == selected
    assert len(audit("accounts.setup_mail.sent")) == selected
    assert len(mailoutbox) == 2 * selected
