"""web.widgets.Select (issue 22): the 詳細検索 selects rendered in Python
give the markup Django's templates give, attribute for attribute."""

from __future__ import annotations

import re

from django import forms

from web.widgets import Select


def _normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def _both(field_kwargs: dict, data: dict, attrs: dict | None = None) -> tuple[str, str]:
    out = []
    for widget in (forms.Select(attrs=attrs), Select(attrs=attrs)):

        class F(forms.Form):
            x = forms.ChoiceField(widget=widget, **field_kwargs)

        form = F(data)
        form.is_valid()
        out.append(_normalized(str(form["x"])))
    return out[0], out[1]


def test_same_markup_as_djangos_select_with_selection_required_and_escaping():
    choices = [("", "すべて"), ("a", 'A <b>&"</b>'), ("b", "B")]
    django_html, ours = _both({"choices": choices}, {"x": "a"}, attrs={"aria-describedby": "help-x", "class": "c"})
    assert ours == django_html
    assert 'required' in ours and 'selected' in ours and "&lt;b&gt;" in ours and "<b>" not in ours


def test_same_markup_with_option_groups_and_an_invalid_value():
    choices = [("組織", [("1", "本社"), ("2", "\u3000営業部")]), ("3", "開発部")]
    django_html, ours = _both({"choices": choices, "required": False}, {"x": "2"})
    assert ours == django_html and "<optgroup" in ours
    django_html, ours = _both({"choices": choices, "required": False}, {"x": "9"})
    assert ours == django_html and "selected" not in ours
