"""Form fields whose clean() runs check_upload: a chapter's form declares
``UploadField(policy=LINK_ICON)`` or ``MultipleUploadField(policy=..., max_files=5)``
and gets CheckedUpload objects in cleaned_data."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError

from uploads import staging
from uploads.errors import refuse
from uploads.models import StoredFile
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


class StagedFilesField(forms.Field):
    """Keys of files staged at 確認 that travel between the steps (hidden
    inputs, or checkboxes on the input page). ``cleaned_data`` holds the
    uploader's still-staged ``StoredFile`` rows; a malformed key, or one that
    is not a staged file of this tenant, purpose and user, is a form error
    (uploads.staging). The form binds the uploader with ``bind_uploader``."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": staging.MALFORMED, "expired": staging.EXPIRED}

    def __init__(self, *, policy: UploadPolicy, **kwargs: Any) -> None:
        self.policy = policy
        self.tenant: Any = None
        self.user: Any = None
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[uuid.UUID]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            return staging.parse_keys(values)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def clean(self, value: Any) -> list[StoredFile]:
        keys = self.to_python(value)
        self.validate(keys)
        if not keys:
            return []
        if self.tenant is None:
            raise ImproperlyConfigured("StagedFilesField needs bind_uploader(form, tenant=…, user=…).")
        files = staging.staged_files(tenant=self.tenant, keys=keys, policy=self.policy, user=self.user)
        if len(files) != len(keys):
            raise ValidationError(self.error_messages["expired"], code="expired")
        return files

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [str(getattr(v, "key", v)) for v in value]
        return value


def bind_uploader(form: forms.BaseForm, *, tenant: Any, user: Any) -> None:
    """Tell the form's StagedFilesFields whose staged files they may accept."""
    for field in form.fields.values():
        if isinstance(field, StagedFilesField):
            field.tenant, field.user = tenant, user
