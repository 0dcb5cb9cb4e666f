"""Password rules (AUTH-4) as Django validators, applied wherever a password is set."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from accounts.services.passwords import set_password
from accounts.validators import ALLOWED_SYMBOLS
from tests.factories import TEST_PASSWORD


def _codes(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Abcdefg1", set()),
        ("a1" + ALLOWED_SYMBOLS, set()),  # every listed symbol is allowed
        ("a" * 99 + "1", set()),  # 100 characters
        ("a" * 100 + "1", {"password_length"}),  # 101
        ("Abcdef1", {"password_length"}),  # 7
        ("abcdefgh", {"password_needs_letter_and_digit"}),
        ("12345678", {"password_needs_letter_and_digit"}),
        ("Abcdefg1 ", {"password_invalid_characters"}),  # space
        ("Abcdefg1@", {"password_invalid_characters"}),  # @ is not in the list
        ("Abcdefg1\\", {"password_invalid_characters"}),
        ("Ａbcdefg1", {"password_invalid_characters"}),  # full-width letter
        ("パスワード", {"password_invalid_characters", "password_needs_letter_and_digit", "password_length"}),
    ],
)
def test_each_rule_gives_its_own_message(password, codes, db):
    """AUTH-4: allowed characters, letter and digit, 8–100 characters."""
    assert _codes(password) == codes


def test_messages_are_japanese_and_distinct(db):
    with pytest.raises(ValidationError) as exc:
        validate_password("パス")
    messages = exc.value.messages
    assert len(set(messages)) == 3
    assert all("パスワード" in m for m in messages)


def test_none_of_the_last_five_passwords(bob, alice):
    """AUTH-4: none of the user's last N passwords (default N = 5)."""
    passwords = [f"Cycle{i}pass" for i in range(1, 7)]
    for p in passwords:
        set_password(user=bob, raw_password=p, actor=bob)
    # The last five (2..6) are refused, including the current one.
    for p in passwords[1:]:
        assert _codes(p, bob) == {"password_reused"}
    # The sixth-newest (1) and the factory's original are allowed again.
    assert _codes(passwords[0], bob) == set()
    assert _codes(TEST_PASSWORD, bob) == set()
    with pytest.raises(ValidationError):
        set_password(user=bob, raw_password=passwords[-1], actor=alice)


@override_settings(PASSWORD_HISTORY_COUNT=2)
def test_history_length_is_configurable(bob):
    for p in ("First111", "Second22", "Third333"):
        set_password(user=bob, raw_password=p, actor=bob)
    assert _codes("Third333", bob) == {"password_reused"}
    assert _codes("Second22", bob) == {"password_reused"}
    assert _codes("First111", bob) == set()
    assert bob.password_history.count() == 2  # older hashes are pruned


def test_history_is_stored_as_hashes(bob):
    set_password(user=bob, raw_password="Hashed123", actor=bob)
    stored = bob.password_history.order_by("-created_at", "-pk").first().password
    assert "Hashed123" not in stored and stored.startswith("md5$")


def test_current_password_counts_even_without_history(bob):
    """Accounts whose history is missing still cannot reuse the current one."""
    bob.password_history.all().delete()
    assert _codes(TEST_PASSWORD, bob) == {"password_reused"}


def test_history_is_kept_wherever_a_password_is_saved(bob):
    """AUTH-4: Django's password_changed hook records history outside our
    services too (Django admin's own forms, createsuperuser, seed data)."""
    before = bob.password_history.count()
    bob.set_password("Elsewhere1")
    bob.save()
    assert bob.password_history.count() == before + 1
    assert _codes("Elsewhere1", bob) == {"password_reused"}


def test_admin_set_password_uses_the_same_validators(bob, alice):
    """AUTH-4 applies to admin-set passwords (the user-management screens call set_password)."""
    with pytest.raises(ValidationError) as exc:
        set_password(user=bob, raw_password="abc", actor=alice, force_change=True)
    assert {e.code for e in exc.value.error_list} == {"password_needs_letter_and_digit", "password_length"}
