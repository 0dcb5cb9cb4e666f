"""The one paginator of every list (issue 19): a page past the middle is
read from the other end.

OFFSET costs the rows it skips: with 100,000 users the last page of the
user list (OFFSET 99,900) cost 1.6× page 1, and 10× under the 姓名 sort whose
order the old index only half matched (docs/performance.md). When the list's
ORDER BY is total (it ends with a unique column, as every list's order here
does: ``-created_at, -id``, or the user list's ``…, email``, unique in the
tenant) reading the reversed order is as
cheap as the forward one, so a page past the middle is fetched as
``ORDER BY … DESC LIMIT n OFFSET (count - end)`` and turned around. The last
page then costs what page 1 costs; the worst page (the middle) skips half
the rows instead of all of them. Numbers, rows, links and the exact total
stay those of Django's Paginator, and so does the number of queries (one
COUNT, one page). Without a total order (ties could come back in another
order read from the other end) or for a plain list, it is Django's.

A page deep in a list (from ``DEFERRED_FROM`` rows skipped) is read as a
deferred join (issue 22): the skipping is done by a subquery selecting only
the primary key, which the sort index answers alone, and the page's columns,
annotations included, are computed for its own rows only. PostgreSQL
computes a query's select list for every row OFFSET skips, so the user
list's two-step status subqueries ran 49,900 times on its middle page
(its query 27 → 5 ms at 100,000 users). Still one query.

The pager that goes with it is ``templates/web/_pager.html``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable

PAGE_PARAM = "page"
# Rows skipped from which a page is read through a deferred join: below it
# the skipped rows cost less than the join's second pass over the page.
DEFERRED_FROM = 1_000


def _totally_ordered(rows: Any) -> bool:
    """The queryset's ORDER BY ends with a unique column (the pk or a
    unique field), so its reverse is exactly the reversed list."""
    if not isinstance(rows, QuerySet) or not rows.ordered:
        return False
    query = rows.query
    order = query.order_by or (rows.model._meta.ordering if query.default_ordering else ())
    if not order or not isinstance(order[-1], str):
        return False
    name = order[-1].lstrip("-")
    meta = rows.model._meta
    if name in ("pk", meta.pk.name):
        return True
    try:
        if meta.get_field(name).unique:
            return True
    except FieldDoesNotExist:
        return False
    # Unique within the tenant (the user list's ユーザ ID): every list of
    # tenant data is read inside one tenant (DESIGN.md "Tenancy").
    return any(set(c.fields) <= {name, "tenant"} for c in meta.total_unique_constraints)


def _deferrable(rows: Any) -> bool:
    """A plain model queryset (not values(), distinct or a union), so that
    ``pk__in`` of its own sliced primary keys selects the same rows."""
    return (
        isinstance(rows, QuerySet)
        and rows._iterable_class is ModelIterable
        and not rows.query.distinct
        and not rows.query.combinator
    )


def _rows(rows: Any, start: int, stop: int) -> list[Any]:
    if start < DEFERRED_FROM or not _deferrable(rows):
        return list(rows[start:stop])
    return list(rows.filter(pk__in=rows.values("pk")[start:stop]))


class Paginator(DjangoPaginator):
    def __init__(self, object_list: Any, per_page: int, *args: Any, count: int | None = None, **kwargs: Any) -> None:
        """``count``: the total when the caller knows it without a COUNT
        (the user list's trigger-kept counter, issue 22); else it is counted."""
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Django's cached_property slot

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        if bottom <= self.count - top or not _totally_ordered(self.object_list):
            if bottom < DEFERRED_FROM:
                return super().page(number)
            return self._get_page(_rows(self.object_list, bottom, top), number, self)
        from_end = self.count - top
        rows = _rows(self.object_list.reverse(), from_end, from_end + (top - bottom))
        rows.reverse()
        return self._get_page(rows, number, self)
