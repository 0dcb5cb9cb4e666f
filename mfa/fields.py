"""A text column whose value is encrypted in the database (mfa/crypto.py).

Python code sees the plain value; the column holds the token. Equality
lookups on it cannot work (each token has its own IV) and nothing does one.
"""

from __future__ import annotations

from django.db import models

from mfa import crypto


class EncryptedCharField(models.CharField):
    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else crypto.encrypt(value)
