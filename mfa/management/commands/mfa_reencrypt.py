"""Re-encrypts every stored authenticator key under the current key
(mfa/crypto.py): run after putting a new key first in MFA_ENCRYPTION_KEYS
(or a new SECRET_KEY), then the old key can be dropped. Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from mfa import crypto

BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypt the authenticator-app keys under the first configured key."

    def handle(self, *args, **options) -> None:
        done = 0
        last = 0
        while True:
            # The tokens as stored in TotpDevice's table, not through the field
            # (which would decrypt): each is rotated by crypto.reencrypt alone.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, secret FROM mfa_totpdevice WHERE id > %s ORDER BY id LIMIT %s",
                    [last, BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                cursor.executemany(
                    "UPDATE mfa_totpdevice SET secret = %s WHERE id = %s",
                    [(crypto.reencrypt(token), pk) for pk, token in rows],
                )
            done += len(rows)
            last = rows[-1][0]
        self.stdout.write(f"Re-encrypted {done} authenticator key(s).")
