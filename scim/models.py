"""SCIM 2.0 provisioning (issue 25): the bearer tokens a tenant's directory
(Entra ID, Okta, Google) uses, and what SCIM knows of a portal user that the
portal itself does not keep (the directory's ``externalId``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel


class ScimToken(TenantOwnedModel):
    """A bearer token of one tenant. Only its SHA-256 is stored: the token is
    32 random bytes, so a fast hash is enough (no password stretching is
    needed against a search space of 2^256); the raw value is shown once."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="scim_tokens", verbose_name=_("テナント")
    )
    name = models.CharField(_("トークン名"), max_length=50)
    token_hash = models.CharField(_("トークンのハッシュ"), max_length=64)
    # AUTH-1/AUTH-2: provisioned users get the 初期設定依頼 mail unless the
    # directory also does the sign-in (SSO) and nobody needs a password.
    send_setup_mail = models.BooleanField(_("プロビジョニングしたユーザに初期設定依頼メールを送信する"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("作成者"),
    )
    created_by_label = models.CharField(_("作成者 ID"), max_length=127, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM トークン")
        verbose_name_plural = _("SCIM トークン")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The raw token names its tenant (scim/tokens.py), so the lookup
            # is (tenant, hash) inside that tenant's scope, under RLS too.
            models.UniqueConstraint(fields=["tenant", "token_hash"], name="scim_token_unique_hash"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ScimUser(TenantOwnedModel):
    """The directory's side of a portal user: its ``externalId`` and which
    token provisioned it. Users added in the portal have none until a
    directory first touches them."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="scim_users", verbose_name=_("テナント")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("ユーザ")
    )
    external_id = models.CharField(_("外部 ID"), max_length=255, blank=True)
    token = models.ForeignKey(
        ScimToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("トークン")
    )
    # The 初期設定依頼 mail is sent in batches (no mail storm when a
    # directory pushes thousands of users one request at a time).
    setup_mail_pending = models.BooleanField(_("初期設定依頼メール送信待ち"), default=False)

    class Meta:
        verbose_name = _("SCIM ユーザ")
        verbose_name_plural = _("SCIM ユーザ")
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="scim_user_unique_user")]
        indexes = [
            models.Index(fields=["tenant", "external_id"], name="scim_user_external_id"),
            models.Index(
                fields=["tenant"], condition=models.Q(setup_mail_pending=True), name="scim_user_mail_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.external_id})"
