"""Who may download a file: each chapter registers one rule per purpose prefix
in its AppConfig.ready(), e.g.

    register_download_rule("bulletin.", lambda user, f: user.tenant_id == f.tenant_id)

The view has already limited a tenant user to their own tenant's files; the
rule decides within that. Operators (staff without a tenant) reach a file only
when the rule returns True for them. No rule for a purpose means nobody (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uploads.models import StoredFile

DownloadRule = Callable[[Any, StoredFile], bool]

_rules: dict[str, DownloadRule] = {}


def register_download_rule(purpose_prefix: str, rule: DownloadRule) -> None:
    if not purpose_prefix:
        raise ValueError("A download rule needs a purpose prefix.")
    _rules[purpose_prefix] = rule


def unregister_download_rule(purpose_prefix: str) -> None:
    _rules.pop(purpose_prefix, None)


def rule_for(purpose: str) -> DownloadRule | None:
    """The rule of the longest registered prefix of ``purpose``."""
    matches = [prefix for prefix in _rules if purpose.startswith(prefix)]
    return _rules[max(matches, key=len)] if matches else None


def can_download(user: Any, stored_file: StoredFile) -> bool:
    rule = rule_for(stored_file.purpose)
    return bool(rule and rule(user, stored_file))
