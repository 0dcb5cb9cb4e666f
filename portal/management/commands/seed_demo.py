from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bulletin.demo import ensure_demo_board
from customization.demo import ensure_demo_customization
from idchange.demo import ensure_demo_lines
from inquiries.demo import ensure_demo_inquiries
from mfa.models import TotpDevice
from notifications.demo import ensure_demo_notices
from tenants.catalogue import ensure_catalogue
from tenants.models import Contract, Tenant
from tenants.scoping import operator_scope

DEMO_PASSWORD = "DemoPass2026"
# The demo operator's authenticator-app key (issue 24: operators always need a
# second factor). Fixed and published in the README so `make run` stays
# usable: python -c "import pyotp; print(pyotp.TOTP('<key>').now())".
DEMO_OPERATOR_TOTP_SECRET = "PORTALDEMOOPERATOR2FA234"
DEMO_TENANT_CODE = "T0000001"

DEMO_CONTRACTS: list[dict[str, Any]] = [
    {"service": "google_workspace", "number": "GW-0001", "plan": "Business Standard", "term": "monthly", "id_count": 50, "unit_price": 1600},
    {"service": "microsoft_365", "number": "MS-0001", "plan": "Microsoft 365 Business Standard", "term": "monthly", "id_count": 30, "unit_price": 1874},
    {"service": "line_works", "number": "LW-0001", "plan": "スタンダード", "term": "annual", "id_count": 40, "unit_price": 450, "renewal_base_date": date(2026, 4, 1)},
    {"service": "emm", "number": "EMM-0001", "plan": "Standard", "term": "monthly", "id_count": 20, "unit_price": 500},
    {"service": "ether_economy", "number": "EE-0001", "plan": "", "term": "monthly"},
    {"service": "bpo_web", "number": "BPO-0001", "plan": "", "term": "monthly"},
]

DEMO_USERS: list[dict[str, Any]] = [
    {"email": "admin@demo.example.com", "role": "admin", "last_name": "管理", "first_name": "太郎", "last_name_kana": "カンリ", "first_name_kana": "タロウ", "is_representative": True},
    {"email": "user@demo.example.com", "role": "user", "last_name": "利用", "first_name": "花子", "last_name_kana": "リヨウ", "first_name_kana": "ハナコ"},
    {"email": "sato@demo.example.com", "role": "user", "last_name": "佐藤", "first_name": "一郎", "last_name_kana": "サトウ", "first_name_kana": "イチロウ", "affiliation": "営業部"},
    {"email": "suzuki@demo.example.com", "role": "admin", "last_name": "鈴木", "first_name": "次郎", "last_name_kana": "スズキ", "first_name_kana": "ジロウ", "affiliation": "情報システム部"},
    {"email": "tanaka@demo.example.com", "role": "user", "last_name": "田中", "first_name": "三郎", "last_name_kana": "タナカ", "first_name_kana": "サブロウ", "affiliation": "総務部"},
]


class Command(BaseCommand):
    help = "Create the demo tenant, its accounts and contracts (idempotent) and print the logins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        with operator_scope():
            services = ensure_catalogue()
            tenant, _ = Tenant.objects.get_or_create(
                code=DEMO_TENANT_CODE, defaults={"name": "デモ株式会社"}
            )
            for spec in DEMO_CONTRACTS:
                fields = {k: v for k, v in spec.items() if k not in ("service", "number")}
                Contract.objects.get_or_create(
                    tenant=tenant,
                    number=spec["number"],
                    defaults={"service": services[spec["service"]], **fields},
                )
            ensure_demo_lines(tenant)
            for spec in DEMO_USERS:
                if not User.all_objects.filter(email=spec["email"]).exists():
                    User.objects.create_user(
                        spec["email"],
                        DEMO_PASSWORD,
                        tenant=tenant,
                        status=User.Status.ACTIVE,
                        notification_email=spec["email"],
                        **{k: v for k, v in spec.items() if k != "email"},
                    )
            ensure_demo_board(tenant, author=User.all_objects.get(email="admin@demo.example.com"))
            if not User.all_objects.filter(email="operator@demo.example.com").exists():
                User.objects.create_superuser("operator@demo.example.com", DEMO_PASSWORD)
            TotpDevice.objects.get_or_create(
                user=User.all_objects.get(email="operator@demo.example.com"),
                defaults={"secret": DEMO_OPERATOR_TOTP_SECRET, "confirmed_at": timezone.now()},
            )
            ensure_demo_notices(tenant, User.all_objects.get(email="operator@demo.example.com"))
            ensure_demo_inquiries(
                tenant,
                user=User.all_objects.get(email="user@demo.example.com"),
                operator=User.all_objects.get(email="operator@demo.example.com"),
            )
            ensure_demo_customization(tenant, User.objects.get(email="admin@demo.example.com"))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password DemoPass2026):"))
        self.stdout.write("  tenant admin : admin@demo.example.com  (デモ株式会社, 代表管理者)")
        self.stdout.write("  tenant user  : user@demo.example.com")
        self.stdout.write("  operator     : operator@demo.example.com  (/admin/)")
        self.stdout.write(f"  operator's authenticator-app key (two-step verification): {DEMO_OPERATOR_TOTP_SECRET}")
        self.stdout.write("  dedicated login URL (ALIAS-3): /?tenant_alias=demo-portal")
