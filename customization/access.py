"""Who may download this chapter's images through uploads:download.

The site logo and the link icons are the tenant's own: every member sees
them (header, home). Operators may open them to act on the image policy
(ALIAS-4) when they hold ``customization.download_tenant_image`` (the
registration in apps.py names it; uploads checks it). The dedicated-URL
login logo is additionally public through uploads:public (its policy is
public=True)."""

from __future__ import annotations

from typing import Any

OPERATOR_PERMISSION = "customization.download_tenant_image"


def may_download(user: Any, stored_file: Any) -> bool:
    return getattr(user, "tenant_id", None) == stored_file.tenant_id
