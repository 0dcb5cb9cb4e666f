"""ユーザ一覧: 100 rows through Django's template engine against the Python
row renderer (users/list_rows.py), in one process; not a test (issue 22).

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python scripts/compare_list_rows.py [--runs 200]

The template is the row loop the list used before issue 22 (with the labels
and detail URLs computed in the view, as it did). No database: the users are
unsaved instances with their prefetched registrations and memberships.
Prints the median of each and checks both escape the same hostile name.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.template import engines  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from accounts.models import User  # noqa: E402
from users.list_rows import render_rows  # noqa: E402

TEMPLATE = """{% load i18n %}{% translate "管理者" as admin_label %}{% translate "代表管理者" as representative_label %}{% translate "（連携エラー）" as link_error_label %}
{% for u in users %}
<tr>
  <td class="col-check"><input type="checkbox" name="selected" value="{{ u.pk }}" id="sel-{{ u.pk }}" class="row-check"{% if u.pk in selected %} checked{% endif %}><label for="sel-{{ u.pk }}" class="visually-hidden">{% blocktranslate with id=u.email %}{{ id }} を選択{% endblocktranslate %}</label></td>
  <td><a href="{{ u.detail_url }}">{{ u.email }}</a>{% if u.role == "admin" %}<br><span class="badge badge--admin" title="{{ admin_label }}">{{ admin_label }}</span>{% endif %}{% if u.is_representative %} <span class="badge">{{ representative_label }}</span>{% endif %}</td>
  <td>{{ u.full_name }}</td>
  <td>{% if u.primary_memberships %}<span class="org-name">{{ u.primary_memberships.0.organization.name }}</span>{% else %}{{ u.affiliation }}{% endif %}</td>
  <td><span class="status status--{{ u.status }}">{{ u.status_label }}</span></td>
  <td>{{ u.login_condition_label }}</td>
  <td class="service-icons">{% for r in u.registrations %}<span class="service-icon{% if r.link_error %} service-icon--error{% endif %}" title="{{ r.contract.service.name }}{% if r.link_error %}{{ link_error_label }}{% endif %}"><span aria-hidden="true">{{ r.contract.service.name|slice:":1" }}</span><span class="visually-hidden">{{ r.contract.service.name }}{% if r.link_error %}{{ link_error_label }}{% endif %}</span></span>{% endfor %}</td>
</tr>
{% endfor %}"""


def users(n: int = 100) -> list[User]:
    out = []
    service = SimpleNamespace(name="Google Workspace")
    for i in range(n):
        u = User(pk=i + 1, email=f"user{i:05d}@example.com", last_name="佐藤" if i else "<b>佐藤</b>", first_name="花子",
                 role="admin" if i % 50 == 0 else "user", is_representative=i == 0, affiliation="営業部",
                 status="active", login_condition="tenant")
        u.registrations = [SimpleNamespace(contract=SimpleNamespace(service=service), link_error=i % 7 == 0)] * (i % 3)
        u.primary_memberships = [SimpleNamespace(organization=SimpleNamespace(name="本社/営業部"))] if i % 2 else []
        # The same, as users.selectors.with_list_columns's columns give them now.
        u.service_marks_json = ",".join(json.dumps([1, 1, r.contract.service.name, r.link_error]) for r in u.registrations)
        u.primary_org_name = u.primary_memberships[0].organization.name if u.primary_memberships else None
        out.append(u)
    return out


def prepare(rows: list[User]) -> None:
    """What the view did per page before issue 22 (``_prepare_rows``)."""
    status_labels = dict(User.Status.choices)
    condition_labels = dict(User.LoginCondition.choices)
    marker = 2_147_483_647
    detail = reverse("users:detail", args=[marker])
    for u in rows:
        u.status_label = status_labels.get(u.status, u.status)
        u.login_condition_label = condition_labels.get(u.login_condition, u.login_condition)
        u.detail_url = detail.replace(str(marker), str(u.pk))


def median_ms(fn, runs: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    translation.activate("ja")
    rows = users()
    selected = {1, 5, 9}
    template = engines["django"].from_string(TEMPLATE)

    def with_template() -> str:
        prepare(rows)
        return template.render({"users": rows, "selected": selected})

    def with_python() -> str:
        return render_rows(rows, selected=selected)

    for html in (with_template(), with_python()):
        assert "&lt;b&gt;佐藤&lt;/b&gt;" in html and "<b>" not in html, "not escaped"
        assert html.count("service-icon--error") == 15 and html.count('class="org-name"') == 50, "columns missing"
    t = median_ms(with_template, args.runs)
    p = median_ms(with_python, args.runs)
    print(f"100 rows, median of {args.runs}: Django template {t:.2f} ms, Python rows {p:.2f} ms ({t / p:.1f}×)")


if __name__ == "__main__":
    main()
