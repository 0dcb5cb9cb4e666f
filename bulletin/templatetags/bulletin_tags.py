from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from bulletin.text import render_plain_text

register = template.Library()


@register.filter
def plain_text(value: str) -> SafeString:
    return render_plain_text(value or "")
