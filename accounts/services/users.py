"""State changes of the user administration (manual ch. 5, 6, 8.1).

Each function validates, writes in one transaction, records an audit entry
and queues mail through the outbox in the same transaction. Mails and
password rules come from ``accounts.services.auth`` (the accounts flows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import LoginId, OrganizationMembership, User, UserServiceRegistration
from audit.services import record, record_many
from tenants.models import Contract, Tenant

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


class UserAdminError(Exception):
    """A user administration rule refused the change; the message is for the screen."""


def _auth() -> Any:
    # Imported late: the accounts flows module is maintained separately and
    # imports models that import this package.
    from accounts.services import auth

    return auth


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
) -> User:
    """USER-1. Without a password: status 未設定 and the setup mail. With one
    (管理者が設定): validated under AUTH-4, status 有効, no mail."""
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
        _auth().set_password(user=user, raw_password=password, actor=actor, force_change=force_password_change)
    else:
        _auth().send_setup_mail(user=user, actor=actor)
    return user


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
    user.full_clean(exclude=["password"], validate_constraints=False)
    if user.email != before["email"]:
        if LoginId.objects.filter(login_id__iexact=user.email).exclude(user=user).exists():
            raise ValidationError({"email": _("このユーザ ID は既に使用されています。")})
        LoginId.objects.filter(user=user).update(login_id=user.email)
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
    if user.pk == actor.pk and status == User.Status.SUSPENDED:
        raise UserAdminError(_("ログイン中のユーザは一時停止できません。"))
    if status == User.Status.ACTIVE and user.status == User.Status.PENDING:
        raise UserAdminError(_("初期設定が完了していないユーザは有効にできません。初期設定依頼メールを送信してください。"))
    if user.status == User.Status.LOCKED and status == User.Status.ACTIVE:
        # 有効 for a locked account is an unlock: the failure counter goes too.
        unlock_user(user=user, actor=actor)
        return user
    old = user.status
    user.status = status
    user.save(update_fields=["status"])
    if status == User.Status.SUSPENDED:
        _auth().end_sessions(user=user)
    record(action="accounts.user.status_changed", actor=actor, target=user, data={"from": old, "to": status})
    return user


@dataclass
class DeletionResult:
    deleted: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def deletion_refusal(*, user: User, actor: User) -> str | None:
    """USER-8: why this user cannot be deleted, or None."""
    if user.pk == actor.pk:
        return _("ログイン中のユーザは削除できません。")
    if user.is_representative:
        return _("代表管理者は削除できません。先に代表管理者を変更してください。")
    return None


@transaction.atomic
def delete_users(*, tenant: Tenant, actor: User, user_ids: Iterable[int]) -> DeletionResult:
    """Delete the given users of the tenant, skipping (and saying why) the
    logged-in user and the representative admin (USER-8)."""
    result = DeletionResult()
    users = list(tenant.users.filter(pk__in=list(user_ids)).order_by("email"))
    to_delete = []
    for user in users:
        reason = deletion_refusal(user=user, actor=actor)
        if reason:
            result.skipped.append((user.email, reason))
        else:
            to_delete.append(user)
    for user in to_delete:
        record(action="accounts.user.deleted", actor=actor, target=user)
        _auth().end_sessions(user=user)
        result.deleted.append(user.email)
    if to_delete:
        # LoginId, memberships and registrations cascade with the user.
        try:
            with transaction.atomic():
                tenant.users.filter(pk__in=[u.pk for u in to_delete]).delete()
        except ProtectedError:
            # Another part of the portal protects some of them: delete one by
            # one and report those that cannot go.
            _delete_one_by_one(tenant=tenant, users=to_delete, result=result)
    return result


def _delete_one_by_one(*, tenant: Tenant, users: list[User], result: DeletionResult) -> None:
    for user in users:
        try:
            with transaction.atomic():
                tenant.users.filter(pk=user.pk).delete()
        except ProtectedError:
            result.deleted.remove(user.email)
            result.skipped.append((user.email, _("関連するデータがあるため削除できません。")))


def _account_error() -> type[Exception]:
    return _auth().AccountError


@transaction.atomic
def reset_passwords(*, tenant: Tenant, actor: User, user_ids: Iterable[int]) -> DeletionResult:
    """選択ユーザのパスワードリセット: a reset mail to each selected user
    (a setup mail to those still 未設定); suspended users are skipped with
    the reason. One bulk send for all: tokens, outbox rows and audit entries
    in a constant number of queries."""
    result = DeletionResult()
    auth = _auth()
    recipients = []
    for user in tenant.users.filter(pk__in=list(user_ids)).order_by("email"):
        if auth.can_receive_reset_mail(user):
            recipients.append(user)
            result.deleted.append(user.email)
        else:
            result.skipped.append((user.email, _("一時停止中のユーザにはパスワードリセットメールを送信できません。")))
    auth.send_password_reset_mails(users=recipients, actor=actor)
    return result


def send_password_reset(*, user: User, actor: User) -> None:
    try:
        _auth().send_password_reset_mail(user=user, actor=actor)
    except _account_error():
        raise UserAdminError(_("一時停止中のユーザにはパスワードリセットメールを送信できません。")) from None


def resend_setup_mail(*, user: User, actor: User) -> None:
    """初期設定依頼メール送信: only while the user has not finished the setup."""
    if user.status != User.Status.PENDING:
        raise UserAdminError(_("初期設定が完了しているユーザには送信できません。"))
    _auth().send_setup_mail(user=user, actor=actor)


def unlock_user(*, user: User, actor: User) -> None:
    try:
        _auth().unlock(user=user, actor=actor)
    except _account_error():
        raise UserAdminError(_("このユーザはアカウントロック中ではありません。")) from None


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


# --- Services of a user (SVC-1 … SVC-3) -------------------------------------


def auto_value(*, user: User, contract: Contract, spec: dict[str, Any]) -> str:
    """The value of an automatically filled individual field (the manual's
    BPO-Web): derived from the user so it is stable and unique in the tenant."""
    return user.email


def service_values(*, user: User, contract: Contract, submitted: dict[str, Any]) -> dict[str, str]:
    """The stored values: auto fields computed, the rest as submitted and checked."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for spec in contract.service.user_fields or []:
        name = spec["name"]
        if spec.get("auto"):
            values[name] = auto_value(user=user, contract=contract, spec=spec)
            continue
        value = str(submitted.get(name, "")).strip()
        if spec.get("required") and not value:
            errors[name] = _("%(label)sを入力してください。") % {"label": spec.get("label", name)}
        elif len(value) > 255:
            errors[name] = _("%(label)sは 255 文字以内で入力してください。") % {"label": spec.get("label", name)}
        values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def register_service(
    *, user: User, contract: Contract, actor: User, values: dict[str, Any]
) -> UserServiceRegistration:
    """Register (or change) the user's registration to a contracted service."""
    if contract.tenant_id != user.tenant_id:
        raise UserAdminError(_("ご契約中のサービスではありません。"))
    clean = service_values(user=user, contract=contract, submitted=values)
    reg, created = UserServiceRegistration.objects.update_or_create(
        tenant_id=user.tenant_id, user=user, contract=contract, defaults={"values": clean, "link_error": False}
    )
    record(
        action="accounts.user.service_registered" if created else "accounts.user.service_changed",
        actor=actor,
        target=user,
        data={"contract": contract.number, "service": contract.service.code},
    )
    return reg


@transaction.atomic
def unregister_service(*, user: User, contract: Contract, actor: User) -> None:
    deleted, _n = UserServiceRegistration.objects.filter(
        tenant_id=user.tenant_id, user=user, contract=contract
    ).delete()
    if not deleted:
        raise UserAdminError(_("このサービスは登録されていません。"))
    record(
        action="accounts.user.service_removed",
        actor=actor,
        target=user,
        data={"contract": contract.number, "service": contract.service.code},
    )



# --- ユーザ一括追加／変更 (USER-6) ---------------------------------------------

# Above this many rows the dry run and the apply run in a Celery worker and
# the page shows progress; below, the request does it at once.
IMPORT_SYNC_MAX_ROWS = 2000
IMPORT_PROGRESS_EVERY = 500


@dataclass
class ImportPlan:
    adds: list[Any] = field(default_factory=list)
    changes: list[tuple[Any, int]] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    org_by_path: dict[str, int] = field(default_factory=dict)


def _chunks(items: list[Any], size: int = 5000) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def progress_key(upload_id: int) -> str:
    return f"accounts:user_import:{upload_id}:progress"


def plan_import(*, tenant: Tenant, actor: User | None, content: bytes, progress: Any = None) -> ImportPlan:
    """Validate a whole file under the USER-1 rules (the dry run).

    A constant number of queries whatever the size: the login IDs of the file
    are looked up in chunks, not row by row.
    """
    from accounts.selectors import organization_paths
    from accounts.users import csv as user_csv

    parsed = user_csv.parse(content)
    plan = ImportPlan(errors=list(parsed.errors))
    plan.org_by_path = {path: pk for pk, path in organization_paths(tenant=tenant).items()}
    emails = [r.data["email"].lower() for r in parsed.rows]
    taken: set[str] = set()
    in_tenant: dict[str, tuple[int, bool]] = {}
    for chunk in _chunks(emails):
        taken.update(LoginId.objects.filter(login_id__in=chunk).values_list("login_id", flat=True))
        for email, pk, rep in tenant.users.filter(email__in=chunk).values_list("email", "pk", "is_representative"):
            in_tenant[email] = (pk, rep)
    seen: dict[str, int] = {}
    col_id, col_role, col_org = (user_csv.header_of(a) for a in ("email", "role", "organization"))
    for i, row in enumerate(parsed.rows, 1):
        row_errors = [user_csv.RowError(row.line, c, m) for c, m in user_csv.validate_fields(row.data)]
        email = row.data["email"].lower()
        if email in seen:
            row_errors.append(
                user_csv.RowError(
                    row.line, col_id, _("ユーザ ID がファイル内で重複しています（%(line)d 行目）。") % {"line": seen[email]}
                )
            )
        else:
            seen[email] = row.line
        org = row.data.get("organization", "")
        if org and org not in plan.org_by_path:
            row_errors.append(user_csv.RowError(row.line, col_org, _("代表組織「%(org)s」が見つかりません。") % {"org": org}))
        if email in in_tenant:
            pk, is_rep = in_tenant[email]
            role = user_csv.ROLE_BY_LABEL.get(row.data.get("role", ""))
            if role == User.Role.USER and is_rep:
                row_errors.append(user_csv.RowError(row.line, col_role, _("代表管理者の権限はユーザに変更できません。")))
            elif role == User.Role.USER and actor is not None and pk == actor.pk:
                row_errors.append(user_csv.RowError(row.line, col_role, _("ログイン中のユーザの権限は変更できません。")))
            if not row_errors:
                plan.changes.append((row, pk))
        elif email in taken:
            row_errors.append(user_csv.RowError(row.line, col_id, str(_("このユーザ ID は既に使用されています。"))))
        elif not row_errors:
            plan.adds.append(row)
        plan.errors.extend(row_errors)
        if progress is not None and i % IMPORT_PROGRESS_EVERY == 0:
            progress(i)
    if not parsed.rows and not plan.errors:
        plan.errors.append(user_csv.RowError(2, "", _("データ行がありません。")))
    return plan


def start_import(*, tenant: Tenant, actor: User, filename: str, content: bytes) -> Any:
    """Store the upload and run (or queue) its dry run."""
    from accounts.models import UserImport

    upload = UserImport.objects.create(
        tenant=tenant,
        created_by=actor,
        filename=filename[:255],
        content=content,
        total_rows=max(content.count(b"\n") - 1, 0) or 1,
    )
    record(action="accounts.user_import.uploaded", actor=actor, target=upload, data={"bytes": len(content)})
    if upload.total_rows <= IMPORT_SYNC_MAX_ROWS:
        validate_import(upload_id=upload.pk)
    else:
        from accounts.tasks import validate_user_import as validate_user_import_task

        transaction.on_commit(lambda: validate_user_import_task.delay(upload.pk, tenant_id=tenant.pk))
    upload.refresh_from_db()
    return upload


def validate_import(*, upload_id: int) -> Any:
    """The dry run of a stored upload: errors and counts onto the row.

    Not one transaction: its progress updates must be visible to the page
    polling them, and it changes no user."""
    from django.utils import timezone

    from accounts.models import UserImport

    upload = UserImport.objects.get(pk=upload_id)
    rows = UserImport.objects.filter(pk=upload_id)

    def progress(n: int) -> None:
        rows.update(processed_rows=n)

    plan = plan_import(tenant=upload.tenant, actor=upload.created_by, content=bytes(upload.content), progress=progress)
    n = len(plan.adds) + len(plan.changes)
    rows.update(
        status=UserImport.Status.INVALID if plan.errors else UserImport.Status.VALID,
        # The file holds personal data: keep it only while it may still be applied.
        **({"content": b""} if plan.errors else {}),
        total_rows=n + len({e.line for e in plan.errors}),
        processed_rows=n + len({e.line for e in plan.errors}),
        to_add=len(plan.adds),
        to_change=len(plan.changes),
        errors=[e.as_dict() for e in plan.errors[: 1000]],
        error_count=len(plan.errors),
        finished_at=timezone.now() if plan.errors else None,
    )
    upload.refresh_from_db()
    return upload


def request_apply(*, upload: Any, actor: User) -> Any:
    """反映: run now, or queue for a worker when the file is large."""
    from accounts.models import UserImport

    claimed = UserImport.objects.filter(pk=upload.pk, status=UserImport.Status.VALID).update(
        status=UserImport.Status.APPLYING, processed_rows=0
    )
    if not claimed:
        raise UserAdminError(_("このファイルは反映できません。もう一度アップロードしてください。"))
    if upload.total_rows <= IMPORT_SYNC_MAX_ROWS:
        apply_import(upload_id=upload.pk, actor_id=actor.pk)
    else:
        from accounts.tasks import apply_user_import as apply_user_import_task

        transaction.on_commit(
            lambda: apply_user_import_task.delay(upload.pk, actor.pk, tenant_id=upload.tenant_id)
        )
    upload.refresh_from_db()
    return upload


def apply_import(*, upload_id: int, actor_id: int) -> Any:
    """All or nothing: validate again under the transaction (the data may have
    changed since the dry run) and write only if every row is valid."""
    from django.utils import timezone

    from accounts.models import UserImport

    upload = UserImport.objects.get(pk=upload_id)
    actor = User.objects.filter(pk=actor_id).first()
    try:
        plan = _apply(upload=upload, actor=actor)
    except _ImportInvalid as exc:
        plan = exc.plan
        UserImport.objects.filter(pk=upload_id).update(
            status=UserImport.Status.INVALID,
            content=b"",
            errors=[e.as_dict() for e in plan.errors[:1000]],
            error_count=len(plan.errors),
            finished_at=timezone.now(),
        )
    except Exception:
        # Nothing was written (the transaction rolled back); say so on the
        # page instead of leaving it 反映中 forever, and let the error surface.
        UserImport.objects.filter(pk=upload_id).update(status=UserImport.Status.FAILED, finished_at=timezone.now())
        raise
    else:
        UserImport.objects.filter(pk=upload_id).update(
            status=UserImport.Status.DONE,
            content=b"",
            processed_rows=upload.total_rows,
            to_add=len(plan.adds),
            to_change=len(plan.changes),
            finished_at=timezone.now(),
        )
    upload.refresh_from_db()
    return upload


class _ImportInvalid(Exception):
    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan


@transaction.atomic
def _apply(*, upload: Any, actor: User | None) -> ImportPlan:
    from django.core.cache import cache

    from accounts.users import csv as user_csv

    tenant = upload.tenant
    # One import at a time per tenant: concurrent files could both add the
    # same ID (the LoginId unique index would still refuse the second).
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    plan = plan_import(tenant=tenant, actor=actor, content=bytes(upload.content))
    if plan.errors:
        raise _ImportInvalid(plan)
    key = progress_key(upload.pk)

    def fields_of(data: dict[str, str]) -> dict[str, Any]:
        return {
            "email": data["email"].lower(),
            "last_name": data["last_name"],
            "first_name": data["first_name"],
            "last_name_kana": data["last_name_kana"],
            "first_name_kana": data["first_name_kana"],
            "affiliation": data["affiliation"],
            "role": user_csv.ROLE_BY_LABEL[data["role"]],
            "phone_number": data["phone_number"],
            "notification_email": data["notification_email"],
        }

    # Added users: no password is hashed per row; they set their own through
    # the setup mail (status 未設定).
    new_users = [
        User(tenant=tenant, status=User.Status.PENDING, password=make_password(None), **fields_of(r.data))
        for r in plan.adds
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    LoginId.objects.bulk_create([LoginId(login_id=u.email, user=u) for u in new_users], batch_size=1000)
    memberships = [
        OrganizationMembership(tenant=tenant, user=u, organization_id=plan.org_by_path[r.data["organization"]], is_primary=True)
        for u, r in zip(new_users, plan.adds, strict=True)
        if r.data.get("organization")
    ]
    # Progress for the polling page (the rows are invisible until commit):
    # the writes count as the first half, the setup mails as the second.
    total = max(len(plan.adds) + len(plan.changes), 1)
    cache.set(key, total // 4, 3600)

    # Changed users: one bulk_update; the ID is the key, so LoginId stays.
    changed: list[User] = []
    update_fields = [f for f in fields_of(plan.changes[0][0].data) if f != "email"] if plan.changes else []
    by_pk = dict(plan.changes and [(pk, row) for row, pk in plan.changes])
    for chunk in _chunks(list(by_pk), 2000):
        for user in tenant.users.filter(pk__in=chunk):
            for name, value in fields_of(by_pk[user.pk].data).items():
                if name != "email":
                    setattr(user, name, value)
            changed.append(user)
    if changed:
        User.objects.bulk_update(changed, update_fields, batch_size=1000)
    # An empty 代表組織 leaves the user's organizations as they are.
    with_org = [(pk, row.data["organization"]) for pk, row in by_pk.items() if row.data.get("organization")]
    for chunk in _chunks(with_org, 2000):
        OrganizationMembership.objects.filter(
            tenant=tenant, user_id__in=[pk for pk, _o in chunk], is_primary=True
        ).update(is_primary=False)
    memberships += [
        OrganizationMembership(tenant=tenant, user_id=pk, organization_id=plan.org_by_path[org], is_primary=True)
        for pk, org in with_org
    ]
    OrganizationMembership.objects.bulk_create(
        memberships,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["tenant", "user", "organization"],
        update_fields=["is_primary"],
    )
    cache.set(key, total // 2, 3600)

    cache.set(key, total * 3 // 4, 3600)
    # Every change is an audit entry, written in bulk.
    for action, users in (("accounts.user.created", new_users), ("accounts.user.updated", changed)):
        record_many(action=action, actor=actor, tenant=tenant, targets=users, data=lambda _u: {"import": upload.pk})
    record(
        action="accounts.user_import.applied",
        actor=actor,
        tenant=tenant,
        target=upload,
        data={"added": len(new_users), "changed": len(changed)},
    )
    # The setup mails of the added users, queued through the outbox in this
    # same transaction (a rollback sends nothing): bulk writes, not one token,
    # outbox row and audit entry per user.
    _auth().send_setup_mails(users=new_users, actor=actor)
    return plan
