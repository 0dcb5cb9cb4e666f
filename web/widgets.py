"""Form widgets rendered in Python where the template engine is the cost.

Django renders a ``<select>`` through one template and every ``<option>``
through another ``{% include %}``: the ユーザ一覧's 詳細検索 form (about 50
options) spent ~5 ms of a 35 ms page in 120 template renders (issue 22).
``Select`` below writes the same markup with ``format_html`` from the same
context Django's templates get (``get_context``: name, attrs with id and
aria, optgroups, the selected mark), so it behaves like ``forms.Select`` in
every other way.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """Django's widgets/attrs.html: in order, False left out, True a bare name."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _option(option: dict[str, Any]) -> SafeString:
    return format_html('<option value="{}"{}>{}</option>', option["value"], _attrs(option["attrs"]), option["label"])


class Select(forms.Select):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(_option(option) for option in options)
            if group_name:
                parts.append(SafeString("</optgroup>"))
        parts.append(SafeString("</select>"))
        return format_html_join("\n", "{}", ((part,) for part in parts))
