"""Who may download this chapter's images through uploads:download.

The site logo and the link icons are the tenant's own: every member sees
them (header, home). Operators may open them to act on the image policy
(ALIAS-4). The dedicated-URL login logo is additionally public through
uploads:public (its policy is public=True)."""

from __future__ import annotations

from typing import Any


def may_download(user: Any, stored_file: Any) -> bool:
    if getattr(user, "is_staff", False) and getattr(user, "tenant_id", None) is None:
        return True
    return getattr(user, "tenant_id", None) == stored_file.tenant_id
