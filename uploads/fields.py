"""Form fields whose clean() runs check_upload: a chapter's form declares
``UploadField(policy=LINK_ICON)`` or ``MultipleUploadField(policy=..., max_files=5)``
and gets CheckedUpload objects in cleaned_data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from uploads.errors import refuse
from uploads.policies import UploadPolicy
from uploads.validation import CheckedUpload, check_upload, clean_original_name


class UploadInput(forms.FileInput):
    def __init__(self, policy: UploadPolicy, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": policy.accept, "data-upload": "", **(attrs or {})})


class MultipleUploadInput(UploadInput):
    allow_multiple_selected = True


class UploadField(forms.FileField):
    def __init__(self, *, policy: UploadPolicy, **kwargs: Any) -> None:
        self.policy = policy
        kwargs.setdefault("widget", UploadInput(policy))
        kwargs.setdefault("help_text", policy.describe())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> CheckedUpload | None:
        file = super().clean(data, initial)
        if not file:
            return None
        if isinstance(file, CheckedUpload):
            return file
        return check_upload(file, policy=self.policy)


class MultipleUploadField(forms.FileField):
    def __init__(self, *, policy: UploadPolicy, max_files: int = 10, **kwargs: Any) -> None:
        self.policy = policy
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleUploadInput(policy))
        kwargs.setdefault("help_text", policy.describe())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedUpload]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            super().clean(None, initial)  # raises "required" when required
            return []
        if len(files) > self.max_files:
            raise refuse("too_many_files", limit=self.max_files)
        checked, errors = [], []
        for file in files:
            try:
                checked.append(check_upload(super().clean(file, initial), policy=self.policy))
            except ValidationError as error:
                # Name the file each message is about, so several can be told apart.
                errors += [ValidationError(f"{clean_original_name(file.name)}: {message}", code=error.code) for message in error.messages]
        if errors:
            raise ValidationError(errors)
        return checked
