from __future__ import annotations

from django import template
from django.utils.html import format_html

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
