"""Deleting users (USER-8): the logged-in user and the representative admin
are skipped with the reason."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.sessions import end_sessions_of
from audit.services import record_many
from tenants.models import Tenant


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
    # Locked, so a concurrent representative change (which locks the same
    # rows) is seen before the USER-8 check, not after it.
    users = list(tenant.users.select_for_update().filter(pk__in=list(user_ids)).order_by("email"))
    to_delete = []
    for user in users:
        reason = deletion_refusal(user=user, actor=actor)
        if reason:
            result.skipped.append((user.email, reason))
        else:
            to_delete.append(user)
    # One audit INSERT and one session lookup for the whole selection, not
    # two queries per user (a bulk delete of hundreds).
    record_many(action="accounts.user.deleted", actor=actor, targets=to_delete)
    end_sessions_of(user_ids=[u.pk for u in to_delete])
    result.deleted.extend(u.email for u in to_delete)
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
