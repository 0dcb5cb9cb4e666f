"""Who may download a file: each chapter registers one rule per purpose prefix
in its AppConfig.ready(), e.g.

    register_download_rule("bulletin.", lambda user, f: user.tenant_id == f.tenant_id)

The view has already limited a tenant user to their own tenant's files; the
rule decides within that. Operators (staff without a tenant) are not asked
of the rule: the registration names the Django permission they need
(``operator_permission``); without one they get 403, and a purpose that
names none is the tenant's own (404 for operators, as for a missing file).
No rule for a purpose means nobody (404). Issue 21: being staff alone used
to be enough.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from uploads.models import StoredFile

DownloadRule = Callable[[Any, StoredFile], bool]


@dataclass(frozen=True)
class Registration:
    rule: DownloadRule
    operator_permission: str | None


_rules: dict[str, Registration] = {}


def register_download_rule(
    purpose_prefix: str, rule: DownloadRule, *, operator_permission: str | None = None
) -> None:
    if not purpose_prefix:
        raise ValueError("A download rule needs a purpose prefix.")
    _rules[purpose_prefix] = Registration(rule, operator_permission)


def unregister_download_rule(purpose_prefix: str) -> None:
    _rules.pop(purpose_prefix, None)


def registration_for(purpose: str) -> Registration | None:
    """The registration of the longest registered prefix of ``purpose``."""
    matches = [prefix for prefix in _rules if purpose.startswith(prefix)]
    return _rules[max(matches, key=len)] if matches else None


def can_download(user: Any, stored_file: StoredFile) -> bool:
    """A tenant member, by the purpose's rule."""
    registration = registration_for(stored_file.purpose)
    return bool(registration and registration.rule(user, stored_file))


def operator_permission_for(stored_file: StoredFile) -> str | None:
    """The permission an operator needs for this file; None: operators never."""
    registration = registration_for(stored_file.purpose)
    return registration.operator_permission if registration else None
