"""The SCIM error (RFC 7644 §3.12): status, ``scimType`` and ``detail``."""

from __future__ import annotations


class ScimError(Exception):
    def __init__(self, status: int, scim_type: str | None, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.scim_type = scim_type
        self.detail = str(detail)
