"""Every state change of 画面カスタマイズ設定 (ch. 10–12).

Each function is keyword-only, runs in one transaction, writes one audit
entry, and clears the cached logo URLs after commit. Refusals are a
``ValidationError`` whose keys are the form's field names, so the view
shows them next to the input (and nothing has changed).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from audit.services import record
from customization import images, removal_mail, selectors
from customization.models import Branding, LinkItem
from customization.policies import LINK_ICON, LOGIN_LOGO, SITE_LOGO
from customization.rules import RuleError, check_link_url, normalize_alias
from tenants.models import Tenant
from uploads.models import StoredFile
from uploads.policies import UploadPolicy

ALIAS_TAKEN = _("このお客さま専用 URL は既に使用されています。別の URL を入力してください。")


def _field_error(field: str, exc: RuleError) -> ValidationError:
    return ValidationError({field: [exc.message]})


def _branding_for_update(tenant: Tenant) -> Branding:
    """The tenant's one Branding row, locked for this transaction."""
    Branding.objects.get_or_create(tenant=tenant)
    return (
        Branding.objects.select_for_update(of=("self",))
        .select_related("site_logo", "login_logo")
        .get(tenant=tenant)
    )


def _forget(keys: list[str]) -> None:
    """Drop cached logo URLs now and again after commit: the second delete
    removes a stale value a concurrent request may have cached meanwhile; a
    rollback only costs one cache miss."""
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _forget_site_logo(tenant: Tenant) -> None:
    _forget([selectors.site_logo_key(tenant.pk)])


def _forget_home_links(tenant_id: int) -> None:
    _forget([selectors.home_links_key(tenant_id)])


def _forget_login_logo(*aliases: str | None) -> None:
    _forget([selectors.login_logo_key(a) for a in aliases if a])


# --- リンク集 (LINK-1, LINK-2) -------------------------------------------


@transaction.atomic
def add_link(*, tenant: Tenant, actor: Any, title: str, url: str, icon_key: str = "") -> LinkItem:
    """LINK-1: a new link; ``icon_key`` is the image staged at 確認 (or "")."""
    try:
        url = check_link_url(url)
    except RuleError as exc:
        raise _field_error("url", exc) from exc
    icon = None
    if icon_key:
        try:
            icon = images.claim_staged(tenant=tenant, key=icon_key, policy=LINK_ICON, user=actor)
        except RuleError as exc:
            raise _field_error("icon", exc) from exc
    link = LinkItem.objects.create(
        tenant=tenant, title=title.strip(), url=url, icon=icon, created_by=actor
    )
    record(
        action="customization.link.added",
        actor=actor,
        tenant=tenant,
        target=link,
        data={"url": url, "icon": str(icon.key) if icon else None},
    )
    _forget_home_links(tenant.pk)
    return link


@transaction.atomic
def delete_link(*, link: LinkItem, actor: Any) -> None:
    """LINK-2: 削除 (with its icon)."""
    record(
        action="customization.link.deleted",
        actor=actor,
        tenant=link.tenant_id,
        target=link,
        data={"title": link.title, "url": link.url},
    )
    icon = link.icon
    tenant_id = link.tenant_id
    link.delete()
    images.discard([icon])
    _forget_home_links(tenant_id)


# --- サイトロゴ (LOGO-1, LOGO-2) ------------------------------------------


def _claim(*, tenant: Tenant, actor: Any, key: str, policy: UploadPolicy, field: str) -> StoredFile:
    try:
        return images.claim_staged(tenant=tenant, key=key, policy=policy, user=actor)
    except RuleError as exc:
        raise _field_error(field, exc) from exc


def _swap_image(
    *, tenant: Tenant, actor: Any, field: str, new: StoredFile | None, action: str,
    extra: dict[str, Any] | None = None,
) -> Branding:
    """Put ``new`` (None: the default) into one image slot of the tenant's
    Branding, delete the replaced file and audit it (``extra`` joins the
    entry's data)."""
    branding = _branding_for_update(tenant)
    old = getattr(branding, field)
    if old is None and new is None:
        return branding  # already the default: nothing to change or audit
    setattr(branding, field, new)
    branding.save(update_fields=[field, "updated_at"])
    images.discard([old])
    record(
        action=action,
        actor=actor,
        tenant=tenant,
        target=branding,
        data={"file": str(new.key) if new else None, "previous": str(old.key) if old else None, **(extra or {})},
    )
    return branding


@transaction.atomic
def set_site_logo(*, tenant: Tenant, actor: Any, logo_key: str) -> Branding:
    """LOGO-1: the staged image becomes the header's logo. If anything
    fails the transaction rolls back and the previous logo stays (LOGO-3)."""
    logo = _claim(tenant=tenant, actor=actor, key=logo_key, policy=SITE_LOGO, field="logo")
    branding = _swap_image(
        tenant=tenant,
        actor=actor,
        field="site_logo",
        new=logo,
        action="customization.site_logo.set",
    )
    _forget_site_logo(tenant)
    return branding


@transaction.atomic
def reset_site_logo(*, tenant: Tenant, actor: Any) -> Branding:
    """LOGO-2: デフォルト画像へ設定."""
    branding = _swap_image(
        tenant=tenant, actor=actor, field="site_logo", new=None, action="customization.site_logo.reset"
    )
    _forget_site_logo(tenant)
    return branding


# --- 専用ログイン URL (ALIAS-1 … ALIAS-4) ----------------------------------

KEEP = "keep"  # login logo: keep whatever is set
DEFAULT = "default"  # login logo: back to the default image


@transaction.atomic
def set_login_page(*, tenant: Tenant, actor: Any, alias: str | None, logo: str) -> Tenant:
    """ALIAS-1, ALIAS-2: the dedicated login URL (``alias`` None = しない) and
    its logo (``logo`` = KEEP, DEFAULT or the key of a staged image).

    The alias is stored lowercase in the portal-wide unique column, so two
    tenants can never hold one alias in different cases; when two tenants
    save the same alias at once, the unique index lets one win and the
    other gets the form's 既に使用されています (not a 500)."""
    new_alias = None
    if alias:
        try:
            new_alias = normalize_alias(alias)
        except RuleError as exc:
            raise _field_error("alias", exc) from exc
        if selectors.alias_taken(alias=new_alias, tenant=tenant):
            raise ValidationError({"alias": [ALIAS_TAKEN]})
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    old_alias = tenant.login_alias
    if new_alias != old_alias:
        tenant.login_alias = new_alias
        try:
            with transaction.atomic():
                tenant.save(update_fields=["login_alias"])
        except IntegrityError as exc:
            raise ValidationError({"alias": [ALIAS_TAKEN]}) from exc

    record(
        action="customization.login_page.updated",
        actor=actor,
        tenant=tenant,
        target=tenant,
        data={
            "alias": new_alias,
            "previous_alias": old_alias,
            "logo": logo if logo in (KEEP, DEFAULT) else "new",
        },
    )
    if logo != KEEP:
        new = (
            None
            if logo == DEFAULT
            else _claim(tenant=tenant, actor=actor, key=logo, policy=LOGIN_LOGO, field="logo")
        )
        _swap_image(
            tenant=tenant,
            actor=actor,
            field="login_logo",
            new=new,
            action="customization.login_logo.set",
        )
    _forget_login_logo(old_alias, new_alias)
    return tenant


# --- Operators (ALIAS-4): 当社にて画像の削除や利用停止などの措置 -------------


# Each removal needs the operator's reason: it joins the audit entry in the
# tenant's 操作ログ and is mailed to the tenant's admins (issue 23), so the
# tenant learns why its image went. Each returns whether it removed anything.


@transaction.atomic
def remove_site_logo(*, tenant: Tenant, actor: Any, reason: str) -> bool:
    if _branding_for_update(tenant).site_logo_id is None:
        return False
    _swap_image(
        tenant=tenant, actor=actor, field="site_logo", new=None,
        action="customization.site_logo.removed_by_operator", extra={"reason": reason},
    )
    _forget_site_logo(tenant)
    removal_mail.tell_tenant_admins(tenant=tenant, image=removal_mail.SITE_LOGO, reason=reason)
    return True


@transaction.atomic
def remove_login_logo(*, tenant: Tenant, actor: Any, reason: str) -> bool:
    if _branding_for_update(tenant).login_logo_id is None:
        return False
    _swap_image(
        tenant=tenant, actor=actor, field="login_logo", new=None,
        action="customization.login_logo.removed_by_operator", extra={"reason": reason},
    )
    _forget_login_logo(tenant.login_alias)
    removal_mail.tell_tenant_admins(tenant=tenant, image=removal_mail.LOGIN_LOGO, reason=reason)
    return True


@transaction.atomic
def remove_link_icon(*, link: LinkItem, actor: Any, reason: str) -> bool:
    link = LinkItem.objects.select_for_update(of=("self",)).select_related("icon", "tenant").get(pk=link.pk)
    icon = link.icon
    if icon is None:
        return False
    link.icon = None
    link.save(update_fields=["icon"])
    images.discard([icon])
    record(
        action="customization.link_icon.removed_by_operator",
        actor=actor,
        tenant=link.tenant_id,
        target=link,
        data={"file": str(icon.key), "reason": reason},
    )
    _forget_home_links(link.tenant_id)
    removal_mail.tell_tenant_admins(
        tenant=link.tenant, image=removal_mail.link_icon(link.title), reason=reason
    )
    return True
