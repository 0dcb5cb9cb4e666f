"""Moved to the web kit (``web.pagination``, issue 19); kept only so that
code still importing the old name (the user directory on its way to the
``users`` app) keeps working. Delete once nothing imports it."""

from __future__ import annotations

from web.pagination import Paginator as TwoEndedPaginator

__all__ = ["TwoEndedPaginator"]
