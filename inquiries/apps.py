from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "inquiries"
    verbose_name = _("お問い合わせ")

    def ready(self) -> None:
        from inquiries.attachments import INQUIRY_ATTACHMENT, may_download
        from uploads.access import register_download_rule

        # Who sees the inquiry may download its files; operators may with
        # the permission (issue 21; group 問い合わせ対応).
        register_download_rule(
            INQUIRY_ATTACHMENT.purpose, may_download, operator_permission="inquiries.download_inquiryattachment"
        )
