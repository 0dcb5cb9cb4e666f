"""A populated world for the security tests: a victim tenant with one row (at
least) of every tenant-owned model, attacker tenants, and an operator.

Nothing here names a chapter: the models are found by walking the app
registry (every model with a FK named ``tenant`` to ``tenants.Tenant``), so a
chapter merged later is covered the day it lands. Rows the demo seed does not
create are built generically from the model's fields.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import hashlib
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from tenants.models import Tenant
from tenants.scoping import operator_scope

# In every text field of every victim row, and in nothing else: a response
# that contains it shows another tenant's data.
MARKER = "漏洩ZQ"
VICTIM_NAME = f"{MARKER}被害者株式会社"
# Text fields left as they are: machine values (addresses, codes, tokens,
# paths) whose format other code relies on.
_UNMARKED = (
    "email",
    "password",
    "token",
    "hash",
    "code",
    "key",
    "login",
    "url",
    "ip",
    "status",
    "type",
    "kind",
    "mime",
    "path",
    "file",
    "action",
    "number",
    "kana",
    "phone",
    "zip",
    "postal",
    "language",
    "color",
    "colour",
    "checksum",
    "digest",
    "secret",
    "format",
)


def tenant_models() -> list[type[models.Model]]:
    """Every concrete model holding tenant data (a FK to Tenant); a proxy
    (mfa's TwoStepUser, issue 24) is its concrete model's table again."""
    return [
        m
        for m in apps.get_models()
        if not m._meta.proxy
        and any(
            f.many_to_one and f.concrete and f.related_model is Tenant for f in m._meta.get_fields()
        )
    ]


def tenant_linked_models() -> list[tuple[type[models.Model], str]]:
    """Platform tables whose rows hang off a tenant row (a user's tokens,
    login ID, failure counter): (model, lookup to the tenant id)."""
    owned = set(tenant_models())
    found = []
    for model in apps.get_models():
        if model in owned:
            continue
        for f in model._meta.get_fields():
            if (f.many_to_one or f.one_to_one) and f.concrete and f.related_model in owned:
                found.append((model, f"{f.name}__tenant_id"))
                break
    return found


@dataclass(frozen=True)
class BearerToken:
    """A role with no session that sends a bearer token instead (the SCIM
    endpoint, issue 25): the attacker tenant's token."""

    raw: str


@dataclass
class World:
    victim: Tenant
    attacker: Tenant
    empty: Tenant
    roles: dict[str, Any]  # role name -> user or None (anonymous)
    victim_rows: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    unbuilt: dict[str, str] = field(default_factory=dict)
    victim_emails: list[str] = field(default_factory=list)

    def markers(self) -> list[str]:
        return [MARKER, *self.victim_emails]

    def rows_of(self, tenant: Tenant) -> dict[type[models.Model], list[models.Model]]:
        return {
            m: found
            for m in tenant_models()
            if (found := list(m._base_manager.filter(tenant=tenant).order_by("pk")[:2]))
        }

    def snapshot(self, tenant: Tenant | None = None) -> dict[str, str]:
        """Row count and checksum of the victim's (or ``tenant``'s) rows in
        every tenant table and every table hanging off one."""
        tenant = tenant or self.victim
        out = {}
        tables = [(m, "tenant_id") for m in tenant_models()] + tenant_linked_models()
        for model, lookup in tables:
            qs = model._base_manager.filter(**{lookup: tenant.pk})
            if model._meta.label == "audit.AuditEntry":
                # An operator reading a row in Django admin is logged into
                # the tenant's 操作ログ by design: the record of a read.
                qs = qs.exclude(action="operator.viewed")
            rows = list(qs.order_by("pk").values_list())
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
            out[model._meta.label] = f"{len(rows)}:{digest}"
        return out


def _first(model: type[models.Model], tenant: Tenant | None) -> models.Model | None:
    qs = model._base_manager.all()
    if tenant is not None and model in set(tenant_models()):
        qs = qs.filter(tenant=tenant)
    return qs.order_by("pk").first()


def _value_for(f: models.Field, tenant: Tenant, n: int, depth: int, text: str) -> Any:
    if f.choices:
        return (
            f.choices[0][0]
            if not isinstance(f.choices[0][1], (list, tuple))
            else f.choices[0][1][0][0]
        )
    if isinstance(f, models.ForeignKey | models.OneToOneField):
        target = f.related_model
        if target is Tenant:
            return tenant
        existing = None if isinstance(f, models.OneToOneField) else _first(target, tenant)
        return existing or build_one(target, tenant, depth=depth + 1, text=text)
    if isinstance(f, models.EmailField):
        return f"built{n}@{'victim' if text == MARKER else 'own'}-built.example.com"
    if isinstance(f, models.SlugField):
        return f"built-{n}"
    if isinstance(f, models.GenericIPAddressField):
        return "192.0.2.1"
    if isinstance(f, models.UUIDField):
        return uuid.uuid4()
    if isinstance(f, models.FileField):
        return ContentFile(b"built", name=f"built{n}.txt")
    if isinstance(f, models.CharField | models.TextField):
        return f"{text}{f.name}{n}"[: f.max_length or 100]
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DecimalField):
        return decimal.Decimal(1)
    if isinstance(f, models.IntegerField | models.FloatField):
        return 1
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return timezone.localdate()
    if isinstance(f, models.TimeField):
        return datetime.time(9, 0)
    if isinstance(f, models.DurationField):
        return datetime.timedelta(0)
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.BinaryField):
        return b"built"
    raise TypeError(f"no generic value for {type(f).__name__} {f.name}")


_counter = iter(range(1, 10**9))


def build_one(
    model: type[models.Model], tenant: Tenant, depth: int = 0, text: str = MARKER
) -> models.Model:
    """One row of ``model`` for ``tenant``: a factory named ``<Model>Factory``
    in tests.factories if there is one, else from the required fields alone,
    else (a check constraint wanting an optional field) from every field."""
    from tests import factories

    factory = getattr(factories, f"{model.__name__}Factory", None)
    if factory is not None and factory._meta.model is model:
        kwargs = {"tenant": tenant} if "tenant" in factory._meta.declarations else {}
        return factory(**kwargs)
    try:
        return _build(model, tenant, depth, text, fill_optional=False)
    except (IntegrityError, ValidationError):
        return _build(model, tenant, depth, text, fill_optional=True)


def _build(
    model: type[models.Model], tenant: Tenant, depth: int, text: str, *, fill_optional: bool
) -> models.Model:
    if depth > 6:
        raise RecursionError(f"FK chain too deep at {model._meta.label}")
    n = next(_counter)
    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key and (f.auto_created or isinstance(f, models.AutoField)):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if f.name == "tenant":
            values["tenant"] = tenant
            continue
        if (f.has_default() or f.null) and not (fill_optional and not f.primary_key):
            continue
        if f.primary_key and isinstance(f, models.UUIDField):
            continue
        values[f.name] = _value_for(f, tenant, n, depth, text)
    obj = model(**values)
    with transaction.atomic():
        obj.save()
    return obj


def _mark_text(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    fields = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.EmailField | models.SlugField | models.GenericIPAddressField)
        and not f.choices
        and (f.max_length or 100) >= 12
        and not any(word in f.name.lower() for word in _UNMARKED)
        and not f.unique
    ]
    if not fields:
        return
    for row in rows:
        for f in fields:
            value = getattr(row, f.attname) or ""
            if MARKER not in value:
                setattr(row, f.attname, f"{MARKER}{value}"[: f.max_length or 10**6])
    model._base_manager.bulk_update(list(rows), [f.name for f in fields])


def _auto_pk_tables() -> list[tuple[str, str]]:
    return [
        (m._meta.db_table, m._meta.pk.column)
        for m in apps.get_models()
        if isinstance(m._meta.pk, models.AutoField)
    ]


def _sequence_values(cursor) -> dict[str, str | None]:
    """Table -> its sequence name (PostgreSQL) or the table itself (SQLite)."""
    out = {}
    for table, column in _auto_pk_tables():
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [f'"{table}"', column])
            out[table] = cursor.fetchone()[0]
        else:
            out[table] = table
    return out


def _set_sequences(values: dict[str, int]) -> None:
    """Set each table's next integer pk above the given value (never lower)."""
    with connection.cursor() as cursor:
        for table, seq in _sequence_values(cursor).items():
            if table not in values or seq is None:
                continue
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM {seq})))",  # noqa: S608 - a sequence name from the catalogue
                    [seq, values[table]],
                )
            elif connection.vendor == "sqlite":
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                    [values[table], table],
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                        [table, values[table]],
                    )


def _highest_sequence() -> int:
    top = 0
    with connection.cursor() as cursor:
        for table, seq in _sequence_values(cursor).items():
            if seq is None:
                continue
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT last_value FROM {seq}")  # noqa: S608 - catalogue name
            else:
                cursor.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table]
                )
            top = max(top, cursor.fetchone()[0] or 0)
    return top


def _spread_sequences() -> None:
    """Give every table its own id range for the victim's rows, so a bare
    ``pk`` tried as each model's id is a distinct probe, whatever ran before."""
    base = _highest_sequence() + 1
    _set_sequences(
        {table: base + (i + 1) * 100_000 for i, (table, _) in enumerate(_auto_pk_tables())}
    )


def _bump_sequences(past: int) -> None:
    """Make every later integer pk larger than ``past`` in every table, so an
    attacker's own row never shares an id with a victim row of any model."""
    _set_sequences({table: past for table, _ in _auto_pk_tables()})


def build_world() -> World:
    """Victim first (the demo seed, renamed, plus a generic row of any tenant
    model the seed leaves empty), then the attackers with larger ids."""
    from accounts.models import User
    from tests.factories import TenantFactory, UserFactory

    _spread_sequences()
    call_command("seed_demo", stdout=io.StringIO())
    with operator_scope():
        victim = Tenant.objects.get(code="T0000001")
        User.objects.filter(email="operator@demo.example.com").delete()
    victim.name = VICTIM_NAME
    victim.save(update_fields=["name"])
    world_unbuilt: dict[str, str] = {}
    rows: dict[type[models.Model], list[models.Model]] = {}
    for model in tenant_models():
        found = list(model._base_manager.filter(tenant=victim).order_by("pk"))
        if not found:
            try:
                found = [build_one(model, victim)]
            except Exception as exc:  # noqa: BLE001 - reported, not hidden
                world_unbuilt[model._meta.label] = f"{type(exc).__name__}: {exc}"
        if found:
            _mark_text(model, found)
            rows[model] = list(
                model._base_manager.filter(pk__in=[r.pk for r in found]).order_by("pk")
            )
    victim_emails = list(User._base_manager.filter(tenant=victim).values_list("email", flat=True))

    _bump_sequences(_highest_sequence() + 1000)

    attacker = TenantFactory(name="攻撃側株式会社", code="TATTACK1")
    empty = TenantFactory(name="空テナント株式会社", code="TEMPTY01")
    admin = UserFactory(
        tenant=attacker,
        email="adm@attacker.example.com",
        role=User.Role.ADMIN,
        is_representative=True,
    )
    user = UserFactory(tenant=attacker, email="usr@attacker.example.com")
    other_admin = UserFactory(
        tenant=empty, email="adm@empty.example.com", role=User.Role.ADMIN, is_representative=True
    )
    operator = User.objects.create_superuser("op@carrier.example.com", "OpPass2026x")
    from scim.tokens import create_token

    _token, scim_raw = create_token(tenant=attacker, actor=admin, name="攻撃側", send_setup_mail=False)
    # The attacker's own tenant holds data too, so its pages are not empty.
    for model in tenant_models():
        if not model._base_manager.filter(tenant=attacker).exists():
            # The victim side reports models the builder cannot make.
            with contextlib.suppress(Exception):
                build_one(model, attacker, text="攻撃側")
    return World(
        victim=victim,
        attacker=attacker,
        empty=empty,
        roles={
            "anonymous": None,
            "ユーザ": user,
            "管理者": admin,
            "他テナント管理者": other_admin,
            "operator": operator,
            "SCIM トークン（攻撃側）": BearerToken(scim_raw),
        },
        victim_rows=rows,
        unbuilt=world_unbuilt,
        victim_emails=victim_emails,
    )
