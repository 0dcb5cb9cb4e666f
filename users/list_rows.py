"""The rows of the ユーザ一覧, rendered in Python (issue 22).

100 rows × 7 cells were the largest part of the list page's time in the
template engine; one ``format_html`` per row does the same escaping in about
a fifth of the time (``scripts/compare_list_rows.py``, docs/performance.md).

Each column is a ``Cell``: its ``<td>`` markup with named placeholders and a
function giving those values for one user. A new column (the
two-step-verification status, for instance) is one ``Cell`` added to
``CELLS`` and one header in the list template; placeholder names must be
unique across cells (prefix them with the column's name).

Every value is escaped unless it is already safe (the fragments below are
themselves built by ``_html``); the markup strings are the only unescaped
text. ``_html`` is ``format_html`` without its lazy-string dispatch, which was
a third of the rows' time (~2,000 ``conditional_escape`` calls a page
through ``keep_lazy``; issue 22).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from accounts.models import User
from mfa import selectors as mfa_selectors
from users import selectors

EMPTY = SafeString("")
CHECKED = SafeString(" checked")


@dataclass(frozen=True)
class Page:
    """What every row shares: translated and reversed once per page."""

    selected: set[int]
    detail_url: Callable[[int], str]
    select_label: str
    admin_badge: SafeString
    representative_badge: SafeString
    link_error_label: str
    status_labels: dict[str, str]
    condition_labels: dict[str, str]
    two_step_label: Callable[[bool, int], str]

    @classmethod
    def build(cls, *, selected: set[int]) -> Page:
        marker = 2_147_483_647  # an id no user has: reversed once, then replaced
        detail = reverse("users:detail", args=[marker])
        admin, representative = gettext("管理者"), gettext("代表管理者")
        return cls(
            selected=selected,
            detail_url=lambda pk: detail.replace(str(marker), str(pk)),
            select_label=gettext("%(id)s を選択"),
            admin_badge=format_html('<br><span class="badge badge--admin" title="{0}">{0}</span>', admin),
            representative_badge=format_html(' <span class="badge">{}</span>', representative),
            link_error_label=gettext("（連携エラー）"),
            status_labels={k: str(v) for k, v in User.Status.choices},
            condition_labels={k: str(v) for k, v in User.LoginCondition.choices},
            # A handful of distinct statuses a page: translated once each.
            two_step_label=functools.cache(
                lambda totp, passkeys: mfa_selectors.status_label(totp=totp, passkeys=passkeys)
            ),
        )


@dataclass(frozen=True)
class Cell:
    html: str
    values: Callable[[User, Page], dict[str, Any]]


def _check(u: User, page: Page) -> dict[str, Any]:
    return {
        "check_pk": u.pk,
        "check_checked": CHECKED if u.pk in page.selected else EMPTY,
        "check_label": page.select_label % {"id": u.email},
    }


def _id(u: User, page: Page) -> dict[str, Any]:
    return {
        "id_url": page.detail_url(u.pk),
        "id_email": u.email,
        "id_admin": page.admin_badge if u.role == User.Role.ADMIN else EMPTY,
        "id_representative": page.representative_badge if u.is_representative else EMPTY,
    }


def _affiliation(u: User, page: Page) -> dict[str, Any]:
    organization = getattr(u, "primary_org_name", None)
    if organization:
        return {"affiliation": _html('<span class="org-name">{}</span>', organization)}
    return {"affiliation": u.affiliation}


def _services(u: User, page: Page) -> dict[str, Any]:
    marks = selectors.service_marks(u)
    if not marks:
        return {"services": EMPTY}

    def icon(name: str, link_error: bool) -> tuple[str, str, str, str]:
        error = page.link_error_label if link_error else ""
        return (" service-icon--error" if error else "", name + error, name[:1], name + error)

    return {
        "services": _joined(
            "",
            (
                _html(
                    '<span class="service-icon{}" title="{}"><span aria-hidden="true">{}</span>'
                    '<span class="visually-hidden">{}</span></span>',
                    *icon(name, link_error),
                )
                for name, link_error in marks
            ),
        )
    }


# The row's cells in the order of the table's headers.
CELLS: tuple[Cell, ...] = (
    Cell(
        '<td class="col-check"><input type="checkbox" name="selected" value="{check_pk}" id="sel-{check_pk}"'
        ' class="row-check"{check_checked}><label for="sel-{check_pk}" class="visually-hidden">{check_label}</label></td>',
        _check,
    ),
    Cell('<td><a href="{id_url}">{id_email}</a>{id_admin}{id_representative}</td>', _id),
    Cell("<td>{name}</td>", lambda u, page: {"name": u.full_name}),
    Cell("<td>{affiliation}</td>", _affiliation),
    Cell(
        '<td><span class="status status--{status}">{status_label}</span></td>',
        lambda u, page: {"status": u.status, "status_label": page.status_labels.get(u.status, u.status)},
    ),
    Cell(
        "<td>{login_condition}</td>",
        lambda u, page: {"login_condition": page.condition_labels.get(u.login_condition, u.login_condition)},
    ),
    Cell('<td class="service-icons">{services}</td>', _services),
    # Two-step verification (issue 24): the annotations of mfa.selectors.with_two_step_status.
    Cell(
        "<td>{two_step}</td>",
        lambda u, page: {
            "two_step": page.two_step_label(
                bool(getattr(u, "two_step_totp", False)), getattr(u, "two_step_passkeys", 0) or 0
            )
        },
    ),
)
ROW = "<tr>" + "".join(cell.html for cell in CELLS) + "</tr>"


def _html(markup: str, *args: Any, **kwargs: Any) -> SafeString:
    """``format_html(markup, …)``: every value escaped unless already safe."""
    escaped = markup.format(*(_escaped(v) for v in args), **{name: _escaped(v) for name, v in kwargs.items()})
    return SafeString(escaped)  # nosec B703 - markup is this module's constant, every value went through _escaped


def _joined(separator: str, fragments: Iterable[SafeString]) -> SafeString:
    """Fragments made by ``_html``, joined: safe, as each of them is."""
    return SafeString(separator.join(fragments))  # nosec B703 - only _html's output is joined


def _escaped(value: Any) -> str:
    """``conditional_escape`` for the values a row has (str, int, bool and
    safe fragments): a safe value as it is, anything else through the
    standard library's ``html.escape``, which is what Django's ``escape``
    calls. A lazy translation has no ``__html__`` and is made a str first.
    Plain str and int, most of a row's values, are tested for first."""
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int:
        return str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def render_row(u: User, page: Page) -> SafeString:
    values: dict[str, Any] = {}
    for cell in CELLS:
        values.update(cell.values(u, page))
    return _html(ROW, **values)


def render_rows(users: Iterable[User], *, selected: set[int]) -> SafeString:
    """``<tr>…</tr>`` for each user; the caller renders the empty case."""
    page = Page.build(selected=selected)
    return _joined("\n", (render_row(u, page) for u in users))
