"""Second factors (issue 24): an authenticator app (TOTP), passkeys /
security keys (WebAuthn) and recovery codes, plus a tenant's policy.

The factor tables hang off the user, not a tenant (like accounts' security
tables): they are read at login, before any tenant scope exists, and
operators, who have no tenant, use them too. They are only ever read through
a user, never listed per tenant. The policy is a tenant's row and scoped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from mfa.fields import EncryptedCharField
from tenants.scoping import TenantOwnedModel


class TotpDevice(models.Model):
    """The user's authenticator app (one per user). ``confirmed_at`` is
    empty while enrolment waits for the first code; ``last_step`` is the
    last accepted 30-second step, so a code is accepted once (RFC 6238 §5.2).
    The key is encrypted in the database (mfa/crypto.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    # A Fernet token of the base32 key (about 140 characters for 32).
    secret = EncryptedCharField(max_length=255)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("認証アプリ")
        verbose_name_plural = _("認証アプリ")

    def __str__(self) -> str:
        return f"{self.user_id}: TOTP"


class RecoveryCode(models.Model):
    """One of the user's 10 recovery codes, stored as a keyed hash only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("リカバリーコード")
        verbose_name_plural = _("リカバリーコード")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="mfa_recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: recovery code"


class WebAuthnCredential(models.Model):
    """A passkey or security key (WebAuthn), named by its owner."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webauthn_credentials"
    )
    name = models.CharField(_("名前"), max_length=50)
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("パスキー")
        verbose_name_plural = _("パスキー")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class MfaPolicy(TenantOwnedModel):
    """A tenant's rule: who must use two-step verification, from which day."""

    class Scope(models.TextChoices):
        NONE = "none", _("求めない")
        ADMINS = "admins", _("管理者のみ必須")
        EVERYONE = "everyone", _("全員必須")

    scope = models.CharField(_("対象"), max_length=10, choices=Scope.choices, default=Scope.NONE)
    enforce_from = models.DateField(_("必須にする日"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("2段階認証ポリシー")
        verbose_name_plural = _("2段階認証ポリシー")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="mfa_policy_one_per_tenant")]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.scope}"


class TwoStepUser(User):
    """Users as the operators' Django admin lists them for two-step
    verification support: the status and the reset action (the 代表管理者's
    factors are reset only here)."""

    class Meta:
        proxy = True
        verbose_name = _("2段階認証（ユーザ）")
        verbose_name_plural = _("2段階認証（ユーザ）")
