"""Kept for code written before the layers: ``TenantRequest`` lives in
accounts.permissions (chapters may not import portal, .importlinter)."""

from __future__ import annotations

from accounts.permissions import TenantRequest

__all__ = ["TenantRequest"]
