"""This chapter's upload policies (uploads.policies): what each image may be.

The upload module checks type by content, size and pixel count; the 1:6
aspect rule of the site logo is ours (rules.aspect_within_limit).
"""

from __future__ import annotations

from uploads.policies import Kind, UploadPolicy

IMAGE_KINDS = frozenset({Kind.JPEG, Kind.GIF, Kind.PNG})

# LINK-1: .jpg/.gif/.png, 1 MB. Shown to the tenant's members on the home.
LINK_ICON = UploadPolicy(
    purpose="customization.link_icon", kinds=IMAGE_KINDS, max_bytes=1024 * 1024
)
# LOGO-1: .jpg/.gif/.png, 1 MB. Shown in the header to the tenant's members.
SITE_LOGO = UploadPolicy(
    purpose="customization.site_logo", kinds=IMAGE_KINDS, max_bytes=1024 * 1024
)
# ALIAS-2: .jpg/.gif/.png, 80 KB. Public: the dedicated login URL shows it to anyone.
LOGIN_LOGO = UploadPolicy(
    purpose="customization.login_logo", kinds=IMAGE_KINDS, max_bytes=80 * 1024, public=True
)

PURPOSE_PREFIX = "customization."
