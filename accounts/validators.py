"""Password rules of AUTH-4, one validator per rule so each broken rule gives
its own message. Used wherever a password is set (Django calls them through
``validate_password``)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_SYMBOLS = "_/.,][:;^-!\"#$%&'()=~|`{}*+<>?"
_ALLOWED = re.compile(r"^[A-Za-z0-9" + re.escape(ALLOWED_SYMBOLS) + r"]*$")


class AllowedCharactersValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not _ALLOWED.match(password):
            raise ValidationError(
                _("パスワードに使用できない文字が含まれています。半角英数字と記号 %(symbols)s のみ使用できます。")
                % {"symbols": ALLOWED_SYMBOLS},
                code="password_invalid_characters",
            )

    def get_help_text(self) -> str:
        return _("半角英数字と記号 %(symbols)s が使用できます。") % {"symbols": ALLOWED_SYMBOLS}


class LetterAndDigitValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not (re.search(r"[A-Za-z]", password) and re.search(r"[0-9]", password)):
            raise ValidationError(
                _("パスワードには英字と数字をそれぞれ 1 文字以上含めてください。"),
                code="password_needs_letter_and_digit",
            )

    def get_help_text(self) -> str:
        return _("英字と数字をそれぞれ 1 文字以上含めてください。")


class LengthValidator:
    def __init__(self, min_length: int = 8, max_length: int = 100) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if not self.min_length <= len(password) <= self.max_length:
            raise ValidationError(
                _("パスワードは %(min)d 文字以上 %(max)d 文字以下で入力してください。")
                % {"min": self.min_length, "max": self.max_length},
                code="password_length",
            )

    def get_help_text(self) -> str:
        return _("%(min)d〜%(max)d 文字で入力してください。") % {
            "min": self.min_length,
            "max": self.max_length,
        }


class PasswordHistoryValidator:
    """None of the user's last N passwords (N = settings.PASSWORD_HISTORY_COUNT).

    The history is stored as hashes (``accounts.models.PasswordHistory``) by
    ``password_changed`` below; ``accounts.passwords`` reads and writes it.
    """

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        from accounts.passwords import history_count, used_recently

        if used_recently(user, password):
            raise ValidationError(
                _("過去 %(count)d 回以内に使用したパスワードは使用できません。")
                % {"count": history_count()},
                code="password_reused",
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        # Django calls this after saving any new password: the history is
        # kept wherever a password is set, not only by our services.
        if user is not None:
            from accounts.passwords import remember

            remember(user)

    def get_help_text(self) -> str:
        from accounts.passwords import history_count

        return _("過去 %(count)d 回以内に使用したパスワードは使用できません。") % {
            "count": history_count()
        }
