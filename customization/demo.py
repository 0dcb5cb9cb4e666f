"""The demo tenant's customization (seed_demo): a site logo, two links and a
dedicated login URL with its logo. Images are drawn with Pillow at seed time
and go through the upload module's checks like any upload. Idempotent."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from customization import selectors, services
from customization.models import LinkItem
from customization.policies import LINK_ICON, LOGIN_LOGO, SITE_LOGO
from tenants.models import Tenant
from uploads import staging
from uploads.policies import UploadPolicy
from uploads.validation import check_upload

DEMO_ALIAS = "demo-portal"
DEMO_LINKS = [
    ("社内ポータル", "https://intranet.example.com/", "#1f6feb"),
    ("勤怠管理", "https://attendance.example.com/", None),  # NoImage
]


def _png(size: tuple[int, int], color: str, text: str) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, size[0] - 3, size[1] - 3), radius=min(size) // 5, fill=color)
    draw.text((size[0] // 8, size[1] // 3), text, fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _staged(tenant: Tenant, actor: Any, policy: UploadPolicy, data: bytes, name: str) -> str:
    upload = check_upload(SimpleUploadedFile(name, data, content_type="image/png"), policy=policy)
    return str(staging.stage(tenant=tenant, uploads=[upload], policy=policy, user=actor)[0].key)


def ensure_demo_customization(tenant: Tenant, actor: Any) -> None:
    branding = selectors.branding(tenant=tenant)
    if branding is None or branding.site_logo is None:
        key = _staged(
            tenant, actor, SITE_LOGO, _png((240, 40), "#0b5cab", "DEMO Co., Ltd."), "demo-logo.png"
        )
        services.set_site_logo(tenant=tenant, actor=actor, logo_key=key)
    if not LinkItem.objects.filter(tenant=tenant).exists():
        for title, url, color in DEMO_LINKS:
            key = (
                _staged(tenant, actor, LINK_ICON, _png((96, 96), color, "LINK"), "icon.png")
                if color
                else ""
            )
            services.add_link(tenant=tenant, actor=actor, title=title, url=url, icon_key=key)
    if not tenant.login_alias:
        key = _staged(
            tenant, actor, LOGIN_LOGO, _png((200, 48), "#12805c", "DEMO LOGIN"), "login-logo.png"
        )
        services.set_login_page(tenant=tenant, actor=actor, alias=DEMO_ALIAS, logo=key)
