from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel


class Organization(TenantOwnedModel):
    """A node of the tenant's organization tree (USER-9)."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="organizations", verbose_name=_("テナント")
    )
    name = models.CharField(_("組織名"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上位組織"),
    )
    display_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("組織")
        verbose_name_plural = _("組織")
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "parent", "name"], name="organization_unique_name"),
            models.UniqueConstraint(fields=["tenant", "id"], name="organization_tenant_id"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationMembership(TenantOwnedModel):
    """A user's membership of an organization; one per user is 代表組織.

    An explicit table (no auto-created M2M) so it carries the tenant."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="organization_memberships", verbose_name=_("テナント")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("ユーザ")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("組織")
    )
    is_primary = models.BooleanField(_("代表組織"), default=False)

    class Meta:
        verbose_name = _("組織所属")
        verbose_name_plural = _("組織所属")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "organization"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["tenant", "user"], condition=models.Q(is_primary=True), name="membership_one_primary"
            ),
        ]
        # An organization's members from the index alone (the 詳細検索 filter, issue 22).
        indexes = [models.Index(fields=["tenant", "organization", "user"], name="membership_org")]

    def __str__(self) -> str:
        return f"{self.user} ∈ {self.organization}"


class UserServiceRegistration(TenantOwnedModel):
    """A user's registration to one of the tenant's contracted services
    (SVC-1 … SVC-3): 登録済 when the row exists, 未登録 otherwise."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="service_registrations", verbose_name=_("テナント")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="service_registrations",
        verbose_name=_("ユーザ"),
    )
    contract = models.ForeignKey(
        "tenants.Contract", on_delete=models.CASCADE, related_name="user_registrations", verbose_name=_("契約")
    )
    # The service's individual fields (Service.user_fields), by field name.
    values = models.JSONField(_("サービス個別情報"), default=dict, blank=True)
    # SVC/USER-4: an error mark in the list when the link to the service failed.
    link_error = models.BooleanField(_("連携エラー"), default=False)
    registered_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("サービス登録")
        verbose_name_plural = _("サービス登録")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "contract"], name="service_registration_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "contract"], name="service_registration_contract")]

    def __str__(self) -> str:
        return f"{self.user} → {self.contract}"
