"""The filter and PATCH-path parser (scim/filters.py, issue 25)."""

from __future__ import annotations

import pytest

from scim.errors import ScimError
from scim.filters import Comparison, matches, parse_filter, parse_path


def test_comparisons_joined_by_and():
    assert parse_filter('userName eq "a@b.jp" and externalId eq "x\\"y" and active eq true and emails pr') == [
        Comparison("username", "eq", "a@b.jp"),
        Comparison("externalid", "eq", 'x"y'),
        Comparison("active", "eq", True),
        Comparison("emails", "pr"),
    ]


def test_schema_urn_prefix_is_dropped():
    assert parse_filter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"') == [
        Comparison("username", "eq", "a")
    ]


@pytest.mark.parametrize(
    "text", ['userName eq "a" or userName eq "b"', "not (userName eq \"a\")", 'userName xx "a"', "userName eq", 'userName eq "a" and']
)
def test_unsupported_filters_are_invalid_filter(text):
    with pytest.raises(ScimError) as exc:
        parse_filter(text)
    assert exc.value.status == 400 and exc.value.scim_type == "invalidFilter"


def test_paths():
    assert parse_path("name.givenName") == parse_path("name.givenName")
    p = parse_path('emails[type eq "work"].value')
    assert (p.attr, p.sub, p.value_filter) == ("emails", "value", (Comparison("type", "eq", "work"),))
    p = parse_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
    assert (p.schema, p.attr) == ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user", "department")
    p = parse_path('members[value eq "42"]')
    assert (p.attr, p.value_filter) == ("members", (Comparison("value", "eq", "42"),))


def test_value_filter_matches_case_insensitively():
    assert matches({"type": "Work", "value": "x"}, (Comparison("type", "eq", "work"),))
    assert not matches({"type": "home"}, (Comparison("type", "eq", "work"),))
