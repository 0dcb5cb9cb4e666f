"""Default trouble forms for the catalogue's services that take trouble
inquiries (INQ-2), loaded by seed_demo; operators edit them in Django admin.
A service that already has fields is left alone (idempotent, and an
operator's edits survive a reseed)."""

from __future__ import annotations

from accounts.models import User
from inquiries.faq_seed import ensure_faq
from inquiries.models import FaqCategory, FaqEntry, Inquiry, InquiryMessage, TroubleFormField
from tenants.models import Service, Tenant

T = TroubleFormField.FieldType

COMMON_TAIL: list[dict] = [
    {"label": "発生日時", "field_type": T.DATETIME, "required": True},
    {"label": "影響範囲", "field_type": T.RADIO, "required": True, "choices": "全社\n一部の部署\n特定のユーザ"},
    {"label": "障害内容", "field_type": T.TEXTAREA, "required": True, "help_text": "発生している事象、エラーメッセージ、操作手順をご記入ください。"},
]

DEFAULT_FORMS: dict[str, list[dict]] = {
    "emm": [
        {"label": "対象 OS", "field_type": T.SELECT, "required": True, "choices": "iOS\nAndroid\nWindows\nmacOS"},
        {"label": "対象端末台数", "field_type": T.TEXT, "required": False},
        {"label": "デバイス ID", "field_type": T.TEXT, "required": False, "help_text": "分かる場合のみご記入ください。"},
        *COMMON_TAIL,
    ],
    "ether_economy": [
        {"label": "回線 ID", "field_type": T.TEXT, "required": True},
        {"label": "設置場所（拠点名）", "field_type": T.TEXT, "required": True},
        {"label": "症状", "field_type": T.CHECKBOXES, "required": True, "choices": "通信できない\n速度が遅い\n断続的に切断される\nその他"},
        *COMMON_TAIL,
    ],
    "bpo_web": [
        {"label": "BPO-Web ユーザ ID", "field_type": T.TEXT, "required": False},
        {"label": "画面名", "field_type": T.TEXT, "required": False},
        *COMMON_TAIL,
    ],
}


def ensure_trouble_forms() -> int:
    """Create the default fields of every service without any; returns the
    number of fields created."""
    created = 0
    for service in Service.objects.filter(code__in=DEFAULT_FORMS, supports_trouble_inquiry=True):
        if service.trouble_form_fields.exists():
            continue
        rows = [
            TroubleFormField(service=service, display_order=(i + 1) * 10, **spec)
            for i, spec in enumerate(DEFAULT_FORMS[service.code])
        ]
        TroubleFormField.objects.bulk_create(rows)
        created += len(rows)
    return created


def ensure_demo_inquiries(tenant: Tenant, *, user: User, operator: User) -> None:
    """Two trouble inquiries for the demo tenant, one answered: rows written
    directly (not through the services) so a reseed sends no mail."""
    ensure_trouble_forms()
    ensure_faq(FaqCategory, FaqEntry)
    if tenant.inquiries.exists():  # type: ignore[attr-defined]
        return
    service = Service.objects.filter(code="ether_economy").first()
    if service is None:
        return
    answered = Inquiry.objects.create(
        tenant=tenant,
        service=service,
        subject="本社拠点で通信が断続的に切断される",
        contact_email=user.email,
        answers=[
            {"label": "回線 ID", "value": "EE-0001-001"},
            {"label": "設置場所（拠点名）", "value": "本社"},
            {"label": "症状", "value": "断続的に切断される"},
            {"label": "障害内容", "value": "午前 9 時頃から数分おきに通信が切断されます。"},
        ],
        status=Inquiry.Status.ANSWERED,
        created_by=user,
    )
    InquiryMessage.objects.create(
        tenant=tenant,
        inquiry=answered,
        author=operator,
        from_staff=True,
        body="お問い合わせありがとうございます。回線を確認したところ、局内設備の切替が原因でした。現在は復旧しております。",
    )
    Inquiry.objects.create(
        tenant=tenant,
        service=service,
        subject="通信速度が遅い",
        contact_email=user.email,
        answers=[{"label": "回線 ID", "value": "EE-0001-002"}, {"label": "症状", "value": "速度が遅い"}],
        created_by=user,
    )
