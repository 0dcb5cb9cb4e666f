"""The 操作ログ's words: which action codes exist, what a person reads for each
(a Japanese source string, English in the declaring app's catalogue), whether
tenants see it, and the names of the object types entries point at.

Each app declares its own, as data, in ``<app>/audit_actions.py``:

    GROUP = _("社内向け掲示板")   # the 操作 filter's group; the app's verbose_name if absent
    ACTIONS = {"bulletin.article.created": pgettext_lazy("audit action", "記事追加"), ...}
    PLATFORM_ACTIONS = {...}      # operators' own events, never on a tenant's 操作ログ
    OBJECT_TYPES = {"bulletin.Article": _("掲示板記事"), ...}

Declared data rather than calls into this module, because the ground floor
(``tenants``) may not import ``audit``. ``AuditConfig.ready()`` collects the
modules of every installed app, as the admin collects ``admin.py``, so this
module names no chapter. Tests register and unregister like
``uploads.access`` rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import module_has_submodule

Label = str | Promise
MODULE = "audit_actions"


@dataclass(frozen=True)
class AuditAction:
    code: str
    label: Label
    app: str
    group: Label
    tenant_visible: bool


class UnregisteredAuditCode(LookupError):
    """An action code or object type that no app declared (raised by
    ``audit.record`` when ``AUDIT_REQUIRE_REGISTERED_ACTIONS`` is on)."""


_actions: dict[str, AuditAction] = {}
_object_types: dict[str, tuple[str, Label]] = {}


def register(
    *,
    app: str,
    group: Label,
    actions: Mapping[str, Label] | None = None,
    platform_actions: Mapping[str, Label] | None = None,
    object_types: Mapping[str, Label] | None = None,
) -> None:
    """Add one app's codes. A code or object type declared by two apps is a
    configuration error: two labels for one event would be a guess."""
    for codes, visible in ((actions or {}, True), (platform_actions or {}, False)):
        for code, label in codes.items():
            owner = _actions.get(code)
            if owner is not None and owner.app != app:
                raise ImproperlyConfigured(f"Audit action {code!r} is declared by {owner.app} and {app}.")
            _actions[code] = AuditAction(code=code, label=label, app=app, group=group, tenant_visible=visible)
    for model_label, name in (object_types or {}).items():
        owner_app = _object_types.get(model_label, (app, name))[0]
        if owner_app != app:
            raise ImproperlyConfigured(f"Object type {model_label!r} is declared by {owner_app} and {app}.")
        _object_types[model_label] = (app, name)


def unregister(app: str) -> None:
    for code in [c for c, a in _actions.items() if a.app == app]:
        del _actions[code]
    for label in [m for m, (owner, _n) in _object_types.items() if owner == app]:
        del _object_types[label]


def autodiscover() -> None:
    """Register the ``audit_actions`` module of every installed app."""
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, MODULE):
            continue
        module = import_module(f"{config.name}.{MODULE}")
        register(
            app=config.label,
            group=getattr(module, "GROUP", config.verbose_name),
            actions=getattr(module, "ACTIONS", None),
            platform_actions=getattr(module, "PLATFORM_ACTIONS", None),
            object_types=getattr(module, "OBJECT_TYPES", None),
        )


# --- reading ---------------------------------------------------------------


def get(code: str) -> AuditAction | None:
    return _actions.get(code)


def all_actions() -> list[AuditAction]:
    return list(_actions.values())


def object_types() -> dict[str, Label]:
    return {label: name for label, (_app, name) in _object_types.items()}


def action_label(code: str) -> str:
    """What a person reads for ``code`` in the active language; an unknown
    code (a newer version's entry, say) shows as it is."""
    action = _actions.get(code)
    return str(action.label) if action else code


def object_type_label(model_label: str) -> str:
    """The name of an entry's object type (``customization.LinkItem`` →
    リンク). An undeclared model falls back to its verbose_name, a vanished
    one to the stored label."""
    if not model_label:
        return ""
    if model_label in _object_types:
        return str(_object_types[model_label][1])
    try:
        return str(apps.get_model(model_label)._meta.verbose_name)
    except (LookupError, ValueError):
        return model_label


def tenant_choices() -> list[tuple[Label, list[tuple[str, Label]]]]:
    """The 操作 filter: every code a tenant can see, grouped by the declaring
    app, in INSTALLED_APPS order and each app's own order."""
    groups: dict[str, tuple[Label, list[tuple[str, Label]]]] = {}
    for action in _actions.values():
        if action.tenant_visible:
            groups.setdefault(action.app, (action.group, []))[1].append((action.code, action.label))
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    return [groups[app] for app in sorted(groups, key=lambda app: order.get(app, len(order)))]


def platform_codes() -> list[str]:
    """Codes tenants never see on their 操作ログ (sorted: a stable query)."""
    return sorted(code for code, action in _actions.items() if not action.tenant_visible)


def require(*, action: str, object_types: Iterable[str] = ()) -> None:
    """Raise ``UnregisteredAuditCode`` for an undeclared code or object type."""
    if action not in _actions:
        raise UnregisteredAuditCode(
            f"Audit action {action!r} has no label: declare it in its app's audit_actions.py."
        )
    for model_label in object_types:
        if model_label and model_label not in _object_types:
            raise UnregisteredAuditCode(
                f"Object type {model_label!r} has no name: declare it in OBJECT_TYPES of its app's audit_actions.py."
            )
