"""The carrier's service catalogue as data (the operator edits it in Django
admin); ``ensure_catalogue`` loads these defaults idempotently."""

from __future__ import annotations

from tenants.models import Service

DEFAULT_SERVICES: list[dict] = [
    {
        "code": "google_workspace",
        "name": "Google Workspace",
        "kind": Service.Kind.GOOGLE_WORKSPACE,
        "supports_id_change": True,
        "display_order": 10,
    },
    {
        "code": "microsoft_365",
        "name": "Microsoft 365 with KDDI",
        "kind": Service.Kind.MICROSOFT_365,
        "supports_id_change": True,
        "display_order": 20,
    },
    {
        "code": "line_works",
        "name": "LINE WORKS with KDDI",
        "kind": Service.Kind.LINE_WORKS,
        "supports_id_change": True,
        "display_order": 30,
    },
    {
        "code": "emm",
        "name": "KDDI EMM powered by Omnissa Workspace ONE",
        "kind": Service.Kind.EMM,
        "supports_id_change": True,
        "supports_trouble_inquiry": True,
        "display_order": 40,
    },
    {
        "code": "ether_economy",
        "name": "イーサエコノミー",
        "supports_area_notices": True,
        "supports_trouble_inquiry": True,
        "display_order": 50,
    },
    {
        "code": "bpo_web",
        "name": "BPO-Web",
        "supports_trouble_inquiry": True,
        "user_fields": [
            {"name": "bpo_user_id", "label": "BPO-Web ユーザ ID", "required": False, "auto": True},
        ],
        "display_order": 60,
    },
]


def ensure_catalogue() -> dict[str, Service]:
    services = {}
    for spec in DEFAULT_SERVICES:
        fields = {k: v for k, v in spec.items() if k != "code"}
        service, _ = Service.objects.get_or_create(code=spec["code"], defaults=fields)
        services[service.code] = service
    return services
