"""The audit trail: written in the caller's transaction, scoped like any tenant data."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.models import AuditEntry
from audit.services import record, record_many
from tenants.scoping import ScopeError, operator_scope, tenant_scope


def test_record_names_actor_target_and_tenant(alice, bob):
    entry = record(action="accounts.user.updated", actor=alice, target=bob, data={"field": "affiliation"})
    assert entry.tenant_id == alice.tenant_id
    assert entry.actor_label == alice.email
    assert entry.object_type == "accounts.User" and entry.object_id == str(bob.pk)


def test_record_many_writes_one_insert(alice, bob, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert record_many(action="accounts.user.created", actor=alice, targets=[alice, bob]) == 2
    with tenant_scope(alice.tenant):
        assert AuditEntry.objects.filter(action="accounts.user.created").count() == 2


def test_entries_are_scoped_and_roll_back_with_their_cause(transactional_db, alice, charlie):
    record(action="accounts.user.updated", actor=charlie, target=charlie)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(action="accounts.user.updated", actor=alice, target=alice)
        raise RuntimeError
    with pytest.raises(ScopeError):
        list(AuditEntry.objects.all())
    with tenant_scope(alice.tenant):
        assert not AuditEntry.objects.exists()
    with operator_scope():
        assert AuditEntry.objects.count() == 1
