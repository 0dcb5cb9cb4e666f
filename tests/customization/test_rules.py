"""The chapter's pure rules (ALIAS-1, LOGO-1, LINK-1)."""

from __future__ import annotations

import pytest

from customization.rules import RuleError, aspect_within_limit, check_link_url, normalize_alias


@pytest.mark.parametrize(
    "alias",
    ["abcde", "a" * 32, "ABC12", "my.company-01", "a.b-c", "a--.b", "12345"],
)
def test_alias1_accepts_5_to_32_alphanumerics_with_inner_dot_and_hyphen(alias):
    assert normalize_alias(alias) == alias.lower()


@pytest.mark.parametrize(
    "alias",
    [
        "abcd",  # 4
        "a" * 33,  # 33
        ".abcde",
        "abcde.",
        "-abcde",
        "abcde-",
        "abc de",
        "abc_de",
        "ａｂｃｄｅ",  # full-width
        "abcdé",
        "",
        "abc/de",
    ],
)
def test_alias1_refuses_lengths_edges_and_other_characters(alias):
    with pytest.raises(RuleError):
        normalize_alias(alias)


def test_alias1_is_stored_lowercase_so_case_never_makes_two_aliases():
    assert normalize_alias("My-Company") == normalize_alias("my-company") == "my-company"


@pytest.mark.parametrize(
    ("width", "height", "ok"),
    [
        (600, 100, True),  # 1:6 exactly
        (601, 100, False),  # 1:6.01
        (100, 600, True),
        (100, 601, False),
        (100, 100, True),
        (0, 10, False),
    ],
)
def test_logo1_aspect_ratio_within_1_to_6(width, height, ok):
    assert aspect_within_limit(width, height) is ok


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:x",
        "file:///etc/passwd",
        "ftp://example.com/",
        "//example.com/",
        "example.com",
        "https://",
        "",
    ],
)
def test_link1_refuses_other_schemes(url):
    with pytest.raises(RuleError):
        check_link_url(url)


@pytest.mark.parametrize(
    "url", ["https://example.com/", "http://intra.example.co.jp/a?b=c#d", "HTTPS://EXAMPLE.COM"]
)
def test_link1_accepts_http_and_https(url):
    assert check_link_url(url) == url
