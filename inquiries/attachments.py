"""The one place where お問い合わせ touches files (INQ-2, INQ-4, INQ-7).

Content checks, storage and the download view belong to the shared upload
module; this module only says which policy applies and links its files to
inquiries and messages.

Interim: the upload module is not on main yet, so no file is accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms


def form_field() -> forms.Field:
    return forms.Field(required=False, disabled=True, widget=forms.HiddenInput)


def stage(*, tenant: Any, files: Sequence[Any], user: Any) -> list[str]:
    return []


def keep_staged(*, inquiry: Any, message: Any, keys: Sequence[str], user: Any) -> None:
    if keys:
        raise NotImplementedError("attachments wait for the upload module")


def store(*, inquiry: Any, message: Any, files: Sequence[Any], user: Any) -> None:
    if files:
        raise NotImplementedError("attachments wait for the upload module")


def files_of_inquiry(inquiry: Any) -> list[Any]:
    return []


def policy_text() -> str:
    return ""


def delete_for_inquiries(inquiries: Sequence[Any]) -> list[Any]:
    return []


def audit_data(attachment: Any) -> dict[str, Any]:
    return {}


def with_files(messages: list[Any]) -> list[Any]:
    for message in messages:
        message.files = []
    return messages
