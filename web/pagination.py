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

The pager that goes with it is ``templates/web/_pager.html``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet

PAGE_PARAM = "page"


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
            return super().page(number)
        from_end = self.count - top
        rows = list(self.object_list.reverse()[from_end : from_end + (top - bottom)])
        rows.reverse()
        return self._get_page(rows, number, self)
