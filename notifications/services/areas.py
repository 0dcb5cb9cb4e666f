"""メール通知サービス設定 (NOTIF-2): the tenant-wide notice area of a service."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record
from notifications import prefectures as prefs
from notifications import selectors
from notifications.models import AreaSetting
from tenants.models import Service, Tenant


class AreaError(Exception):
    pass


@transaction.atomic
def set_area(*, tenant: Tenant, service: Service, prefectures: int, actor: User) -> AreaSetting:
    """Store the tenant's area for one area-capable contracted service.

    All 47 prefectures are stored as 全国 (the same bits), so "全国" and
    "every box ticked" mean the same thing everywhere."""
    if not selectors.area_services(tenant).filter(pk=service.pk).exists():
        raise AreaError(_("このサービスはエリア設定の対象ではありません。"))
    prefectures &= prefs.NATIONWIDE
    if not prefectures:
        raise AreaError(_("対象エリアを 1 つ以上選択してください。"))
    setting = AreaSetting.objects.select_for_update().filter(tenant=tenant, service=service).first()
    before = setting.prefectures if setting else prefs.NATIONWIDE
    if setting is None:
        setting = AreaSetting(tenant=tenant, service=service)
    setting.prefectures = prefectures
    setting.updated_by = actor
    setting.save()
    record(
        action="notifications.area.changed",
        actor=actor,
        tenant=tenant,
        target=setting,
        data={
            "service": service.code,
            "before": prefs.codes(before),
            "after": prefs.codes(prefectures),
        },
    )
    return setting
