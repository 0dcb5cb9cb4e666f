"""The administrator's security actions on users (USER-7, 選択ユーザの
パスワードリセット): reset and setup mails, unlock. The account flows do the
work; these turn their refusals into the admin screens' messages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.errors import AccountError
from accounts.services.lockout import unlock
from accounts.services.passwords import (
    can_receive_reset_mail,
    send_password_reset_mail,
    send_password_reset_mails,
)
from accounts.services.registration import send_setup_mail
from tenants.models import Tenant
from users.services.errors import UserAdminError
from users.services.user_deletion import DeletionResult


@transaction.atomic
def reset_passwords(*, tenant: Tenant, actor: User, user_ids: Iterable[int]) -> DeletionResult:
    """選択ユーザのパスワードリセット: a reset mail to each selected user
    (a setup mail to those still 未設定); suspended users are skipped with
    the reason. One bulk send for all: tokens, outbox rows and audit entries
    in a constant number of queries."""
    result = DeletionResult()
    recipients = []
    for user in tenant.users.filter(pk__in=list(user_ids)).order_by("email"):
        if can_receive_reset_mail(user):
            recipients.append(user)
            result.deleted.append(user.email)
        else:
            result.skipped.append((user.email, _("一時停止中のユーザにはパスワードリセットメールを送信できません。")))
    send_password_reset_mails(users=recipients, actor=actor)
    return result


def send_password_reset(*, user: User, actor: User) -> None:
    try:
        send_password_reset_mail(user=user, actor=actor)
    except AccountError:
        raise UserAdminError(_("一時停止中のユーザにはパスワードリセットメールを送信できません。")) from None


def resend_setup_mail(*, user: User, actor: User) -> None:
    """初期設定依頼メール送信: only while the user has not finished the setup."""
    if user.status != User.Status.PENDING:
        raise UserAdminError(_("初期設定が完了しているユーザには送信できません。"))
    send_setup_mail(user=user, actor=actor)


def unlock_user(*, user: User, actor: User) -> None:
    try:
        unlock(user=user, actor=actor)
    except AccountError:
        raise UserAdminError(_("このユーザはアカウントロック中ではありません。")) from None
