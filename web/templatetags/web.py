from __future__ import annotations

from django import template
from django.core.paginator import Page
from django.utils.html import format_html

from web.pagination import PAGE_PARAM
from web.submission import DONE, STAGE_FIELD, TOKEN_FIELD, issue_token

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_fields(context: template.Context) -> str:
    """The 確認 page's hidden ``stage=done`` and a fresh one-time token."""
    return format_html(
        '<input type="hidden" name="{}" value="{}"><input type="hidden" name="{}" value="{}">',
        STAGE_FIELD,
        DONE,
        TOKEN_FIELD,
        issue_token(context["request"]),
    )


@register.simple_tag(takes_context=True)
def pager_links(context: template.Context, page: Page) -> dict[str, str | None]:
    """The pager's four targets (web/_pager.html), None where there is no
    such page: ``?<this page's query string with page=N>``, so filters and
    sort stay as they are when the pager moves."""
    query = context["request"].GET.copy()

    def url(number: int) -> str:
        query[PAGE_PARAM] = str(number)
        return "?" + query.urlencode()

    before, after = page.has_previous(), page.has_next()
    return {
        "first": url(1) if before else None,
        "previous": url(page.previous_page_number()) if before else None,
        "next": url(page.next_page_number()) if after else None,
        "last": url(page.paginator.num_pages) if after else None,
    }
