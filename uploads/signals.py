"""The stored bytes go when the row goes, however it goes (delete_files,
queryset.delete(), a cascade from a chapter's row), and only once the
transaction commits, so a rollback keeps both."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from uploads.models import StoredFile


def remove_bytes(name: str) -> None:
    default_storage.delete(name)


@receiver(post_delete, sender=StoredFile, dispatch_uid="uploads.remove_bytes")
def remove_bytes_after_commit(sender: type, instance: StoredFile, using: str, **kwargs: Any) -> None:
    transaction.on_commit(partial(remove_bytes, instance.name), using=using)
