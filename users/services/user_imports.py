"""ユーザ一括追加／変更 (USER-6): the dry run of an uploaded CSV and its
all-or-nothing apply (bulk writes, setup mails in one bulk send), run in the
request for small files and in a Celery worker for large ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import LoginId, OrganizationMembership, User
from accounts.services.registration import send_setup_mails
from audit.services import record, record_many
from mail.queue import enqueue_on_commit
from tenants.bulk import insert_rows
from tenants.models import Tenant
from users.services.errors import UserAdminError

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


def storable(value: Any) -> Any:
    """``value`` without NUL characters, through lists and dicts.

    The one place every upload-supplied value passes before it reaches a text
    or JSON column of UserImport (file name, error list with row values):
    PostgreSQL refuses NUL in both, which was an HTTP 500."""
    if isinstance(value, str):
        return value.replace("\0", "")
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value


def _chunks(items: list[Any], size: int = 5000) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def progress_key(upload_id: int) -> str:
    return f"accounts:user_import:{upload_id}:progress"


def plan_import(
    *, tenant: Tenant, actor: User | None, content: bytes, progress: Any = None, fields_checked: bool = False
) -> ImportPlan:
    """Validate a whole file under the USER-1 rules (the dry run).

    A constant number of queries whatever the size: the login IDs of the file
    are looked up in chunks, not row by row. ``fields_checked``: the rows'
    own values already passed the field rules (the apply of a file whose
    dry run found no error: the stored file has not changed, so only what
    the database may have changed since — IDs taken, organizations, roles —
    is checked again; issue 22: each row's fields validated once).
    """
    from users import csv as user_csv
    from users.selectors import organization_paths

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
        row_errors = (
            []
            if fields_checked
            else [user_csv.RowError(row.line, c, m) for c, m in user_csv.validate_fields(row.data)]
        )
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
        filename=storable(filename)[:255],
        content=content,
        total_rows=max(content.count(b"\n") - 1, 0) or 1,
    )
    record(action="accounts.user_import.uploaded", actor=actor, target=upload, data={"bytes": len(content)})
    if upload.total_rows <= IMPORT_SYNC_MAX_ROWS:
        validate_import(upload_id=upload.pk)
    else:
        from users.tasks import validate_user_import as validate_user_import_task

        enqueue_on_commit(validate_user_import_task, upload.pk, tenant_id=tenant.pk)
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
        errors=storable([e.as_dict() for e in plan.errors[: 1000]]),
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
        from users.tasks import apply_user_import as apply_user_import_task

        enqueue_on_commit(apply_user_import_task, upload.pk, actor.pk, tenant_id=upload.tenant_id)
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
            errors=storable([e.as_dict() for e in plan.errors[:1000]]),
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

    from users import csv as user_csv

    tenant = upload.tenant
    # One import at a time per tenant: concurrent files could both add the
    # same ID (the LoginId unique index would still refuse the second).
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    plan = plan_import(tenant=tenant, actor=actor, content=bytes(upload.content), fields_checked=True)
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
    # the setup mail (status 未設定). One unusable marker ("!" + random) for
    # all: it never matches any password, so it need not differ per user.
    unusable = make_password(None)
    added = [fields_of(r.data) for r in plan.adds]
    # Set-based INSERTs (tenants/bulk.py): one statement per 5,000 rows for
    # the users, their login IDs and 代表組織, no SQL compiled per row.
    names = ("tenant_id", "status", "password", *(added[0] if added else ()))
    ids = insert_rows(User, names, [(tenant.pk, User.Status.PENDING, unusable, *f.values()) for f in added])
    new_users = [
        User(pk=pk, tenant=tenant, status=User.Status.PENDING, password=unusable, **f)
        for pk, f in zip(ids, added, strict=True)
    ]
    for user in new_users:  # as bulk_create leaves them: saved
        user._state.adding, user._state.db = False, "default"
    insert_rows(LoginId, ("login_id", "user_id"), [(u.email, u.pk) for u in new_users], returning=None)
    insert_rows(
        OrganizationMembership,
        ("tenant_id", "user_id", "organization_id", "is_primary"),
        [
            (tenant.pk, u.pk, plan.org_by_path[r.data["organization"]], True)
            for u, r in zip(new_users, plan.adds, strict=True)
            if r.data.get("organization")
        ],
        returning=None,
    )
    memberships: list[OrganizationMembership] = []
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
    send_setup_mails(users=new_users, actor=actor)
    return plan
