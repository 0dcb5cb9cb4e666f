"""USER-1 field limits, with the edge values, on the shared validators."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import field_rules as v


def codes(func, value, **kwargs) -> str | None:
    try:
        func(value, **kwargs)
    except ValidationError as exc:
        return exc.code
    return None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("山" * 10, None),  # USER-1: 10 full-width characters pass
        ("山" * 11, "name_too_long_full"),  # 11 do not
        ("a" * 30, None),  # 30 half-width letters pass
        ("a" * 31, "name_too_long_half"),  # 31 do not
        ("Ａｂｃ", None),  # full-width letters are full-width characters
        ("山田a", "name_mixed"),  # mixed widths are refused
        ("ﾔﾏﾀﾞ", "name_invalid_half"),  # half-width katakana are not letters
        ("Yamada1", "name_invalid_half"),  # digits are not letters
        ("", "required"),
    ],
)
def test_user1_person_name_limits(value, code):
    assert codes(v.validate_person_name, value, label="姓") == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("ヤマダ", None),
        ("ア" * 20, None),  # 20 pass
        ("ア" * 21, "kana_too_long"),  # 21 do not
        ("ヴァージョン", None),
        ("やまだ", "kana_invalid"),  # hiragana is not katakana
        ("ﾔﾏﾀﾞ", "kana_invalid"),  # half-width katakana is not full-width
        ("ヤマダ太郎", "kana_invalid"),
        ("", None),  # optional
    ],
)
def test_user1_kana_is_full_width_katakana_only(value, code):
    assert codes(v.validate_kana, value, label="姓（カナ）") == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("営業部", None),
        ("Sales1", None),
        ("営業Sales", None),  # half-width alphanumerics and full-width may be combined
        ("a" * 50, None),
        ("a" * 51, "affiliation_too_long"),
        ("営" * 51, "affiliation_too_long"),
        ("sales dept", "affiliation_invalid"),  # half-width space
        ("R&D", "affiliation_invalid"),
        ("", None),
    ],
)
def test_user1_affiliation(value, code):
    assert codes(v.validate_affiliation, value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0", None),
        ("1" * 15, None),
        ("1" * 16, "phone_too_long"),
        ("03-1234-5678", "phone_invalid"),
        ("０３", "phone_invalid"),  # full-width digits
        ("", None),
    ],
)
def test_user1_phone_is_up_to_15_half_width_digits(value, code):
    assert codes(v.validate_phone, value) == code


def _mail(total: int) -> str:
    domain = "@ex.jp"
    return "a" * (total - len(domain)) + domain


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("a@b.c", "email_invalid"),  # 5 characters: the length rule passes (the format does not)
        ("ab@c", "email_length"),  # 4 characters: too short
        ("a@b.jp", None),
        (_mail(127), None),
        (_mail(128), "email_length"),
        ("ユーザ@example.com", "email_charset"),
        ("not-an-address", "email_invalid"),
        ("", "required"),
    ],
)
def test_user1_mail_address_5_to_127(value, code):
    assert codes(v.validate_mail_address, value, label="ユーザ ID") == code



@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        ("taro＠example.jp", "taro@example.jp"),
        ("\u3000taro@example.jp\u3000", "taro@example.jp"),
        ("ﾀﾛｳ@example.jp", "タロウ@example.jp"),  # half-width kana become full-width: still refused below
    ],
)
def test_issue23_mail_address_is_nfkc_normalised(typed, normalised):
    assert v.normalize_mail_address(typed) == normalised


def test_issue23_refused_characters_are_named_once_in_the_message():
    with pytest.raises(ValidationError) as exc:
        v.validate_mail_address(v.normalize_mail_address("ﾀﾛｳﾀﾛｳ@example.jp"), label="ユーザ ID")
    assert exc.value.code == "email_charset"
    assert exc.value.messages == ["ユーザ IDは半角英数字と記号で入力してください。使用できない文字: タ ロ ウ"]
