"""Reads of the chapter: the home's links, the header logo and the
dedicated-URL login logo. The two logos are read on every page, so each is
one cache lookup (Django cache), invalidated by the services on change."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import CharField, Value

from customization import images
from customization.models import Branding, LinkItem
from tenants.models import Tenant
from tenants.scoping import tenant_scope

CACHE_TIMEOUT = 24 * 60 * 60
UNKNOWN_ALIAS_TIMEOUT = 5 * 60
# The cache stores "" for "the default image" so a miss and a default differ.
DEFAULT = ""


@dataclass(frozen=True)
class HomeLink:
    title: str
    url: str
    icon_url: str | None  # None: the NoImage picture (LINK-2)


def home_links(*, tenant: Tenant) -> list[HomeLink]:
    """LINK-3: the tenant's links in registration order, cached; a miss
    costs one query, which also fills the header logo's cache entry."""
    rows = cache.get(home_links_key(tenant.pk))
    if rows is None:
        rows = _load_home(tenant)
    return [HomeLink(*row) for row in rows]


def _load_home(tenant: Tenant) -> list[tuple[str, str, str | None]]:
    """The links and the site logo in one query (UNION ALL): the home is the
    busiest page and both are read there."""
    text = CharField()
    links = LinkItem.objects.filter(tenant=tenant).values_list(
        Value("link", output_field=text), "title", "url", "icon__key", "created_at", "id"
    )
    logo = Branding.objects.filter(tenant=tenant).values_list(
        Value("logo", output_field=text),
        Value("", output_field=text),
        Value("", output_field=text),
        "site_logo__key",
        "updated_at",
        "id",
    )
    link_rows, logo_url = [], DEFAULT
    # No ORDER BY inside a UNION (SQLite refuses it); sorted below.
    for kind, title, url, key, created_at, pk in links.order_by().union(logo.order_by(), all=True):
        if kind == "logo":
            logo_url = images.key_url(key) if key else DEFAULT
        else:
            link_rows.append((created_at, pk, (title, url, images.key_url(key) if key else None)))
    rows = [row for _created, _pk, row in sorted(link_rows, key=lambda r: (r[0], r[1]))]
    cache.set_many(
        {home_links_key(tenant.pk): rows, site_logo_key(tenant.pk): logo_url}, CACHE_TIMEOUT
    )
    return rows


def links(*, tenant: Tenant) -> list[LinkItem]:
    return list(LinkItem.objects.filter(tenant=tenant).select_related("icon"))


def branding(*, tenant: Tenant) -> Branding | None:
    return Branding.objects.filter(tenant=tenant).select_related("site_logo", "login_logo").first()


def home_links_key(tenant_id: int) -> str:
    return f"customization:home_links:{tenant_id}"


def site_logo_key(tenant_id: int) -> str:
    return f"customization:site_logo:{tenant_id}"


def login_logo_key(alias: str) -> str:
    return f"customization:login_logo:{alias}"


def site_logo_url(*, tenant: Tenant) -> str | None:
    """LOGO-1: the header's logo URL, or None for the default logo."""
    key = site_logo_key(tenant.pk)
    url = cache.get(key)
    if url is None:
        row = Branding.objects.filter(tenant=tenant).select_related("site_logo").first()
        url = images.file_url(row.site_logo) if row and row.site_logo else DEFAULT
        cache.set(key, url, CACHE_TIMEOUT)
    return url or None


def login_logo_url(*, alias: str) -> str | None:
    """ALIAS-3: the public logo of the tenant behind a dedicated login alias,
    or None (no such alias, unused, or the default image: the page looks the
    same either way, so it never says whether an alias exists)."""
    alias = (alias or "").strip().lower()[:32]
    if not alias:
        return None
    key = login_logo_key(alias)
    url = cache.get(key)
    if url is None:
        url, known = _login_logo_from_db(alias)
        # Unknown aliases are remembered briefly only, so strangers' guesses
        # do not fill the cache for a day.
        cache.set(key, url, CACHE_TIMEOUT if known else UNKNOWN_ALIAS_TIMEOUT)
    return url or None


def _login_logo_from_db(alias: str) -> tuple[str, bool]:
    tenant = Tenant.objects.filter(login_alias=alias, is_active=True).first()
    if tenant is None:
        return DEFAULT, False
    # The login page is outside any tenant scope (anonymous visitor); this
    # read is limited to the one tenant the alias names.
    with tenant_scope(tenant):
        row = Branding.objects.filter(tenant=tenant).select_related("login_logo").first()
    return (
        images.file_url(row.login_logo, public=True) if row and row.login_logo else DEFAULT
    ), True


def alias_taken(*, alias: str, tenant: Tenant) -> bool:
    """ALIAS-1: is the (normalized) alias used by another tenant?"""
    return Tenant.objects.filter(login_alias=alias).exclude(pk=tenant.pk).exists()
