"""One user's record in the user administration (manual ch. 5, 6; USER-1,
USER-7, NOTIF-1): add, edit, status, receive settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import LoginId, OrganizationMembership, User, field_rules
from accounts.services.passwords import set_password
from accounts.services.registration import send_setup_mail
from accounts.services.sessions import end_sessions
from audit.services import record
from tenants.models import Tenant
from users.services.errors import UserAdminError
from users.services.user_security import unlock_user

PROFILE_FIELDS = (
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "affiliation",
    "role",
    "phone_number",
    "email",
    "notification_email",
    "login_condition",
)


def _set_memberships(*, user: User, organization_ids: Iterable[int], primary_id: int | None) -> None:
    tenant = user.tenant
    wanted = list(dict.fromkeys(organization_ids))
    valid = set(tenant.organizations.filter(pk__in=wanted).values_list("pk", flat=True))
    wanted = [pk for pk in wanted if pk in valid]
    if primary_id not in valid:
        primary_id = wanted[0] if wanted else None
    OrganizationMembership.objects.filter(tenant=tenant, user=user).delete()
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(tenant=tenant, user=user, organization_id=pk, is_primary=pk == primary_id)
        for pk in wanted
    )


@transaction.atomic
def create_user(
    *,
    tenant: Tenant,
    actor: User,
    data: dict[str, Any],
    password: str | None = None,
    force_password_change: bool = False,
    setup_mail: bool = True,
) -> User:
    """USER-1. Without a password: status 未設定 and the setup mail. With one
    (管理者が設定): validated under AUTH-4, status 有効, no mail.
    ``setup_mail=False``: 未設定 without the mail now (SCIM sends it in
    batches later, or never when the directory does the sign-in; issue 25)."""
    user = User(tenant=tenant, **{k: data.get(k) or "" for k in PROFILE_FIELDS})
    user.role = data.get("role") or User.Role.USER
    user.login_condition = data.get("login_condition") or User.LoginCondition.TENANT
    user.email = user.email.lower()
    user.status = User.Status.ACTIVE if password else User.Status.PENDING
    user.set_unusable_password()
    user.full_clean(exclude=["password"], validate_constraints=False)
    if LoginId.objects.filter(login_id__iexact=user.email).exists():
        raise ValidationError({"email": _("このユーザ ID は既に使用されています。")})
    user.save()
    try:
        with transaction.atomic():
            LoginId.objects.create(login_id=user.email, user=user)
    except IntegrityError:  # the same ID added elsewhere a moment ago
        raise ValidationError({"email": _("このユーザ ID は既に使用されています。")}) from None
    _set_memberships(
        user=user, organization_ids=data.get("organizations") or [], primary_id=data.get("primary_organization")
    )
    record(action="accounts.user.created", actor=actor, target=user, data={"role": user.role})
    if password:
        set_password(user=user, raw_password=password, actor=actor, force_change=force_password_change)
    elif setup_mail:
        send_setup_mail(user=user, actor=actor)
    return user


def profile_errors(data: dict[str, Any]) -> dict[str, str]:
    """USER-1's field rules (accounts.models.field_rules) for the profile
    fields present in ``data``, by field name; the same rules and Japanese
    messages as the user form and the CSV import. For callers with no form
    (SCIM provisioning, issue 25)."""
    rules: dict[str, tuple[Callable[..., None], dict[str, Any]]] = {
        "email": (field_rules.validate_mail_address, {"label": _("ユーザ ID")}),
        "last_name": (field_rules.validate_person_name, {"label": _("姓")}),
        "first_name": (field_rules.validate_person_name, {"label": _("名")}),
        "last_name_kana": (field_rules.validate_kana, {"label": _("姓（カナ）")}),
        "first_name_kana": (field_rules.validate_kana, {"label": _("名（カナ）")}),
        "affiliation": (field_rules.validate_affiliation, {}),
        "phone_number": (field_rules.validate_phone, {}),
    }
    errors: dict[str, str] = {}
    for name, (rule, kwargs) in rules.items():
        if name in data:
            try:
                rule(data[name] or "", **kwargs)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    if data.get("notification_email"):  # optional here: mail goes to the ユーザ ID then
        try:
            field_rules.validate_mail_address(data["notification_email"], label=_("通知先メールアドレス"))
        except ValidationError as exc:
            errors["notification_email"] = exc.messages[0]
    return errors


@transaction.atomic
def update_user(*, user: User, actor: User, data: dict[str, Any]) -> User:
    """基本情報 edit (USER-7). The login ID moves in the global LoginId table too."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {k: getattr(user, k) for k in PROFILE_FIELDS}
    for k in PROFILE_FIELDS:
        if k in data:
            setattr(user, k, data[k] or "")
    user.email = user.email.lower()
    if user.is_representative and user.role != User.Role.ADMIN:
        raise UserAdminError(_("代表管理者の権限はユーザに変更できません。先に代表管理者を変更してください。"))
    if user.pk == actor.pk and before["role"] == User.Role.ADMIN and user.role != User.Role.ADMIN:
        # As the CSV import: an admin cannot lock themselves out of administration.
        raise UserAdminError(_("ログイン中のユーザの権限は変更できません。"))
    user.full_clean(exclude=["password"], validate_constraints=False)
    if user.email != before["email"]:
        if LoginId.objects.filter(login_id__iexact=user.email).exclude(user=user).exists():
            raise ValidationError({"email": _("このユーザ ID は既に使用されています。")})
        try:
            with transaction.atomic():
                LoginId.objects.filter(user=user).update(login_id=user.email)
        except IntegrityError:  # the same ID taken elsewhere a moment ago
            raise ValidationError({"email": _("このユーザ ID は既に使用されています。")}) from None
    user.save()
    if "organizations" in data:
        _set_memberships(
            user=user, organization_ids=data.get("organizations") or [], primary_id=data.get("primary_organization")
        )
    changed = {k: [before[k], getattr(user, k)] for k in PROFILE_FIELDS if before[k] != getattr(user, k)}
    record(action="accounts.user.updated", actor=actor, target=user, data={"changed": changed})
    return user


@transaction.atomic
def set_status(*, user: User, actor: User, status: str) -> User:
    """有効 / 一時停止 (USER-7). Suspending ends the user's sessions at once."""
    if status not in (User.Status.ACTIVE, User.Status.SUSPENDED):
        raise UserAdminError(_("変更できないステータスです。"))
    # Locked and re-read: a concurrent representative change (same row lock)
    # is seen before the check below, not after it.
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk and status == User.Status.SUSPENDED:
        raise UserAdminError(_("ログイン中のユーザは一時停止できません。"))
    if user.is_representative and status == User.Status.SUSPENDED:
        # USER-8/CONTRACT-2: the tenant always keeps a usable representative.
        raise UserAdminError(_("代表管理者は一時停止できません。先に代表管理者を変更してください。"))
    if status == User.Status.ACTIVE and user.status == User.Status.PENDING:
        raise UserAdminError(_("初期設定が完了していないユーザは有効にできません。初期設定依頼メールを送信してください。"))
    if user.status == User.Status.LOCKED and status == User.Status.ACTIVE:
        # 有効 for a locked account is an unlock: the failure counter goes too.
        unlock_user(user=user, actor=actor)
        return user
    old = user.status
    if status == User.Status.ACTIVE and old == User.Status.SUSPENDED and not user.has_usable_password():
        # Suspended before finishing the setup (a directory may suspend a
        # user it just provisioned): back to 未設定, not 有効 with no password.
        status = User.Status.PENDING
    user.status = status
    user.save(update_fields=["status"])
    if status == User.Status.SUSPENDED:
        end_sessions(user=user)
    record(action="accounts.user.status_changed", actor=actor, target=user, data={"from": old, "to": status})
    return user


RECEIVE_SETTINGS = {
    "news": ("receive_news", gettext_lazy("お知らせ")),
    "maintenance": ("receive_maintenance", gettext_lazy("メンテナンス情報")),
    "outage": ("receive_outage", gettext_lazy("障害情報")),
}


@transaction.atomic
def set_receive_setting(*, user: User, actor: User, kind: str, receive: bool) -> User:
    """NOTIF-1: one of お知らせ / メンテナンス情報 / 障害情報 on or off."""
    field_name, _label = RECEIVE_SETTINGS[kind]
    setattr(user, field_name, receive)
    user.save(update_fields=[field_name])
    record(
        action="accounts.user.receive_setting_changed", actor=actor, target=user, data={kind: receive}
    )
    return user
