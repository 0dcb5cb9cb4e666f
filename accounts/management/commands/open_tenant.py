"""Open a tenant from the command line (OPS-2, AUTH-1)::

    manage.py open_tenant --name "株式会社サンプル" --code T0001234 \
        --admin-email admin@sample.example.com --last-name 山田 --first-name 太郎 \
        --variant service --service line_works [--actor operator@example.com]
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services.onboarding import OPENING_TEMPLATES, open_tenant
from tenants.models import Service
from tenants.scoping import operator_scope


class Command(BaseCommand):
    help = "Open a tenant: create its representative admin (未設定) and send the opening mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="会社名")
        parser.add_argument("--code", required=True, help="テナントコード")
        parser.add_argument(
            "--admin-email", required=True, help="代表管理者のメールアドレス（ユーザ ID）"
        )
        parser.add_argument("--last-name", required=True, help="代表管理者の姓")
        parser.add_argument("--first-name", required=True, help="代表管理者の名")
        parser.add_argument(
            "--variant",
            required=True,
            choices=sorted(OPENING_TEMPLATES),
            help="開通通知メールの種類",
        )
        parser.add_argument(
            "--service", help="申込サービスのサービスコード（--variant service のとき）"
        )
        parser.add_argument("--actor", help="操作したオペレーターのユーザ ID（監査ログ用）")

    def handle(self, *args: Any, **options: Any) -> None:
        with operator_scope():
            service = None
            if options["service"]:
                service = Service.objects.filter(code=options["service"]).first()
                if service is None:
                    raise CommandError(f"Unknown service code: {options['service']}")
            actor = None
            if options["actor"]:
                actor = User.all_objects.filter(
                    email__iexact=options["actor"], is_staff=True
                ).first()
                if actor is None:
                    raise CommandError(f"No operator with ID {options['actor']}")
            try:
                tenant = open_tenant(
                    name=options["name"],
                    code=options["code"],
                    admin_email=options["admin_email"],
                    admin_last_name=options["last_name"],
                    admin_first_name=options["first_name"],
                    variant=options["variant"],
                    ordered_service=service,
                    actor=actor,
                )
            except ValidationError as exc:
                messages = "; ".join(
                    f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
                )
                raise CommandError(messages) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Opened {tenant.name} ({tenant.code}); opening mail queued to {options['admin_email']}."
            )
        )
