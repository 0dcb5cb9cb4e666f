"""The rows of the ユーザ一覧, rendered in Python (issue 22).

100 rows × 7 cells were the largest part of the list page's time in the
template engine; ``format_html`` does the same escaping at a fraction of the
cost (docs/performance.md, "ユーザ一覧 rows"). Each cell is one small
function of the user and the page's labels, in column order: a new column
(the two-step-verification status, for instance) is one function added to
``CELLS`` and one header in ``users.views.users`` (``COLUMNS`` or the
template's fixed headers).

Everything that varies is passed through ``format_html`` / ``format_html_join``,
which escape it; the literal markup is the only unescaped text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.models import User


@dataclass(frozen=True)
class Page:
    """What every row shares: translated once per page, not per row."""

    selected: set[int]
    detail_url: Callable[[int], str]
    select_label: str
    admin_label: str
    representative_label: str
    link_error_label: str
    status_labels: dict[str, str]
    condition_labels: dict[str, str]

    @classmethod
    def build(cls, *, selected: set[int]) -> Page:
        marker = 2_147_483_647  # an id no user has: reversed once, then replaced
        detail = reverse("users:detail", args=[marker])
        return cls(
            selected=selected,
            detail_url=lambda pk: detail.replace(str(marker), str(pk)),
            select_label=gettext("%(id)s を選択"),
            admin_label=gettext("管理者"),
            representative_label=gettext("代表管理者"),
            link_error_label=gettext("（連携エラー）"),
            status_labels={k: str(v) for k, v in User.Status.choices},
            condition_labels={k: str(v) for k, v in User.LoginCondition.choices},
        )


def check_cell(u: User, page: Page) -> SafeString:
    return format_html(
        '<td class="col-check"><input type="checkbox" name="selected" value="{0}" id="sel-{0}" class="row-check"{1}>'
        '<label for="sel-{0}" class="visually-hidden">{2}</label></td>',
        u.pk,
        mark_safe(" checked") if u.pk in page.selected else "",
        page.select_label % {"id": u.email},
    )


def id_cell(u: User, page: Page) -> SafeString:
    badges: list[tuple[SafeString]] = []
    if u.role == User.Role.ADMIN:
        badges.append((format_html('<br><span class="badge badge--admin" title="{0}">{0}</span>', page.admin_label),))
    if u.is_representative:
        badges.append((format_html(' <span class="badge">{}</span>', page.representative_label),))
    return format_html(
        '<td><a href="{}">{}</a>{}</td>', page.detail_url(u.pk), u.email, format_html_join("", "{}", badges)
    )


def name_cell(u: User, page: Page) -> SafeString:
    return format_html("<td>{}</td>", u.full_name)


def affiliation_cell(u: User, page: Page) -> SafeString:
    memberships = getattr(u, "primary_memberships", None)
    if memberships:
        return format_html('<td><span class="org-name">{}</span></td>', memberships[0].organization.name)
    return format_html("<td>{}</td>", u.affiliation)


def status_cell(u: User, page: Page) -> SafeString:
    label = page.status_labels.get(u.status, u.status)
    return format_html('<td><span class="status status--{}">{}</span></td>', u.status, label)


def login_condition_cell(u: User, page: Page) -> SafeString:
    return format_html("<td>{}</td>", page.condition_labels.get(u.login_condition, u.login_condition))


def services_cell(u: User, page: Page) -> SafeString:
    def icon(r: object) -> tuple[str, str, str, str]:
        name = r.contract.service.name  # type: ignore[attr-defined]
        error = page.link_error_label if r.link_error else ""  # type: ignore[attr-defined]
        return (" service-icon--error" if error else "", name + error, name[:1], name + error)

    icons = format_html_join(
        "",
        '<span class="service-icon{}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        (icon(r) for r in getattr(u, "registrations", ())),
    )
    return format_html('<td class="service-icons">{}</td>', icons)


# The row's cells in the order of the table's headers.
CELLS: tuple[Callable[[User, Page], SafeString], ...] = (
    check_cell,
    id_cell,
    name_cell,
    affiliation_cell,
    status_cell,
    login_condition_cell,
    services_cell,
)


def render_rows(users: Iterable[User], *, selected: set[int]) -> SafeString:
    """``<tr>…</tr>`` for each user; the caller renders the empty case."""
    page = Page.build(selected=selected)
    return format_html_join("\n", "<tr>{}</tr>", ((render_cells(u, page),) for u in users))


def render_cells(u: User, page: Page) -> SafeString:
    return format_html_join("", "{}", ((cell(u, page),) for cell in CELLS))
