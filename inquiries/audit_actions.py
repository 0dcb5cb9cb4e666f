"""Audit codes of the inquiries chapter with their 操作ログ labels, collected
by audit/registry.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "inquiries.general.submitted": pgettext_lazy("audit action", "一般のお問い合わせ送信"),
    "inquiries.inquiry.submitted": pgettext_lazy("audit action", "障害問い合わせ送信"),
    "inquiries.message.added": pgettext_lazy("audit action", "問い合わせメッセージ追加"),
    "inquiries.inquiry.answered": pgettext_lazy("audit action", "問い合わせ回答"),
    "inquiries.inquiry.resolved": pgettext_lazy("audit action", "問い合わせ解決"),
    "inquiries.attachment.deleted": pgettext_lazy("audit action", "添付ファイル削除（保存期間経過）"),
}

OBJECT_TYPES = {
    "inquiries.GeneralInquiry": _("一般のお問い合わせ"),
    "inquiries.Inquiry": _("障害問い合わせ"),
    "inquiries.InquiryMessage": _("問い合わせメッセージ"),
    "inquiries.InquiryAttachment": _("添付ファイル"),
    "inquiries.FaqCategory": _("よくあるご質問のカテゴリ"),
    "inquiries.FaqEntry": _("よくあるご質問"),
    "inquiries.TroubleFormField": _("障害問い合わせフォームの項目"),
}
