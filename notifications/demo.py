"""Demo notices for the demo tenant (called by seed_demo): an area setting
for イーサエコノミー and a couple of published items, so the i list and
メール通知サービス設定 show something. Idempotent (by title)."""

from __future__ import annotations

from accounts.models import User
from notifications import prefectures as prefs
from notifications.forms import REGION_MASKS
from notifications.models import AreaSetting, Notice, NoticeKind, Publication
from notifications.services.notices import publish
from tenants.models import Service, Tenant

DEMO_NOTICES = [
    {
        "kind": NoticeKind.NEWS,
        "title": "ビジネスポータルの新しい画面を公開しました",
        "body": "ホーム画面のインフォメーション（i）から、お知らせ・障害・メンテナンス情報を確認できるようになりました。",
    },
    {
        "kind": NoticeKind.MAINTENANCE,
        "service": "ether_economy",
        "prefectures": prefs.BY_CODE["13"].bit,
        "title": "東京都の一部地域における定期メンテナンス",
        "body": "設備更改のため、メンテナンス時間中に数分程度の瞬断が発生する場合があります。",
    },
]


def ensure_demo_notices(tenant: Tenant, operator: User) -> None:
    ether = Service.objects.get(code="ether_economy")
    AreaSetting.objects.get_or_create(
        tenant=tenant, service=ether, defaults={"prefectures": REGION_MASKS["kanto"]}
    )
    for spec in DEMO_NOTICES:
        if Notice.objects.filter(title=spec["title"]).exists():
            continue
        service = Service.objects.get(code=spec["service"]) if "service" in spec else None
        notice = Notice.objects.create(
            kind=spec["kind"],
            service=service,
            prefectures=spec.get("prefectures", prefs.NATIONWIDE),
            title=spec["title"],
            body=spec["body"],
        )
        publish(notice=notice, revision=Publication.Revision.INITIAL, actor=operator)
