"""The authenticator-app keys are encrypted in the database (mfa/crypto.py):
a dump or a replica of the factor tables (which row-level security does not
cover: they have no tenant) hands out no working second factor, and the
encryption key (and SECRET_KEY, which keys the recovery codes) can be rotated
without locking anyone out."""

from __future__ import annotations

import io

import pyotp
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from mfa import crypto
from mfa.models import TotpDevice
from mfa.services import recovery, totp
from tests.mfa.helpers import SECRET, give_totp

BEFORE = [("mfa", "0001_initial")]
AFTER = [("mfa", "0002_totp_key_encrypted_at_rest")]


def _stored(device: TotpDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM mfa_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_column_holds_a_token_not_the_key(bob):
    device = give_totp(bob)
    stored = _stored(device)
    assert SECRET not in stored and stored.startswith("gAAAAA")  # a Fernet token
    assert TotpDevice.objects.get(pk=device.pk).secret == SECRET
    assert totp.verify(bob, pyotp.TOTP(SECRET).now())
    # Each write has its own IV: the same key twice is two different tokens.
    assert crypto.encrypt(SECRET) != crypto.encrypt(SECRET)


def test_a_new_secret_key_with_the_old_as_fallback_keeps_codes_working_until_reencrypted(bob):
    device = give_totp(bob)
    old = _stored(device)
    with override_settings(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=["test-only-key"]):
        assert TotpDevice.objects.get(pk=device.pk).secret == SECRET
        out = io.StringIO()
        call_command("mfa_reencrypt", stdout=out)
        assert out.getvalue().strip() == "Re-encrypted 1 authenticator key(s)."
        assert _stored(device) != old
    with override_settings(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=[]):
        assert TotpDevice.objects.get(pk=device.pk).secret == SECRET  # the old key is no longer needed
        assert totp.verify(bob, pyotp.TOTP(SECRET).now())


def test_a_key_nobody_kept_fails_loudly_not_as_a_wrong_code(bob):
    device = give_totp(bob)
    with (
        override_settings(SECRET_KEY="another-key", SECRET_KEY_FALLBACKS=[]),
        pytest.raises(crypto.UnreadableSecret, match="mfa_reencrypt"),
    ):
        TotpDevice.objects.get(pk=device.pk)


def test_dedicated_keys_replace_the_secret_key(bob):
    with override_settings(MFA_ENCRYPTION_KEYS=["k-2026"]):
        device = give_totp(bob)
    # Not readable with SECRET_KEY alone: the dedicated key is what opens it.
    with pytest.raises(crypto.UnreadableSecret):
        TotpDevice.objects.get(pk=device.pk)
    with override_settings(MFA_ENCRYPTION_KEYS=["k-2027", "k-2026"]):
        assert TotpDevice.objects.get(pk=device.pk).secret == SECRET
        call_command("mfa_reencrypt", stdout=io.StringIO())
    with override_settings(MFA_ENCRYPTION_KEYS=["k-2027"]):
        assert TotpDevice.objects.get(pk=device.pk).secret == SECRET


def test_recovery_codes_survive_a_new_secret_key_while_the_old_is_a_fallback(bob):
    """Recovery codes are keyed hashes under SECRET_KEY: a rolled key keeps
    the old one in SECRET_KEY_FALLBACKS, and the paper codes still work."""
    codes = recovery.generate(bob)
    with override_settings(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=["test-only-key"]):
        assert recovery.use(bob, codes[0])
        assert not recovery.use(bob, codes[0])  # still once only
    with override_settings(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=[]):
        assert not recovery.use(bob, codes[1])  # the old key dropped: the set is void
    assert recovery.use(bob, codes[1])


@pytest.mark.django_db(transaction=True)
def test_keys_stored_before_the_migration_are_encrypted_by_it_and_decrypted_back(bob):
    """Migration 0002 on a database that holds plain keys (0001), both ways.
    (Transactional: SQLite's schema editor cannot run inside the test's transaction.)"""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mfa_totpdevice (user_id, secret, created_at) VALUES (%s, %s, CURRENT_TIMESTAMP)",
            [bob.pk, SECRET],
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    device = TotpDevice.objects.get(user=bob)
    assert _stored(device).startswith("gAAAAA") and device.secret == SECRET

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert _stored(device) == SECRET
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert TotpDevice.objects.get(user=bob).secret == SECRET
