from __future__ import annotations

from typing import Any


def used_recently(user: Any, password: str) -> bool:
    """Whether ``password`` is the user's current one (history: accounts issue)."""
    return user.has_usable_password() and user.check_password(password)
