"""A paginator that reads pages past the middle from the other end.

OFFSET costs the rows it skips: with 100,000 users the last page of the
list (OFFSET 99,900) cost 1.6× page 1, and 10× under the 姓名 sort whose
order the old index only half matched (docs/performance.md). Every sort of
the list has an index matching its whole ORDER BY, so reading the reversed
order is as cheap as the forward one: a page past the middle is fetched as
``ORDER BY … DESC LIMIT n OFFSET (count - end)`` and turned around. The last
page then costs what page 1 costs; the worst page (the middle) skips half
the rows instead of all of them. Numbers, links and the exact total stay
those of the plain Paginator.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator


class TwoEndedPaginator(Paginator):
    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        ordered = getattr(self.object_list, "ordered", False)
        if not ordered or bottom <= self.count - top:
            return super().page(number)
        from_end = self.count - top
        rows = list(self.object_list.reverse()[from_end : from_end + (top - bottom)])
        rows.reverse()
        return self._get_page(rows, number, self)
