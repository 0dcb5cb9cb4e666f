"""Attachments of articles, through the shared upload module (uploads/):
this file only says which files belong to which articles."""

from __future__ import annotations

from django.db.models import QuerySet

from bulletin.models import Article


def delete_attachment_files(*, articles: QuerySet[Article]) -> None:
    """Remove the stored files of ``articles`` (rows and bytes) before the
    articles go; placeholder until the upload module lands."""
    return None
