"""契約情報 forms (CONTRACT-2)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class RepresentativeForm(forms.Form):
    """代表管理者変更: 変更後の管理者, one of the tenant's other admins."""

    new_admin = forms.TypedChoiceField(
        label=_("変更後の管理者"),
        coerce=int,
        error_messages={
            "required": _("変更後の管理者を選択してください。"),
            "invalid_choice": _("変更後の管理者を選択してください。"),
        },
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {u.pk: u for u in candidates}
        self.fields["new_admin"].choices = [("", "---------")] + [
            (u.pk, f"{u.full_name}（{u.email}）") for u in candidates
        ]

    def clean_new_admin(self) -> User:
        return self.candidates[self.cleaned_data["new_admin"]]
