"""Operators in Django admin (OPS-1, IDC-9, IDC-11): search, filters and the
actions that call the services."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from idchange import business_days
from idchange.models import (
    BusinessDayOverride,
    ContractLine,
    IdChangeApplication,
    IdChangeApplicationLine,
    IdCountLedger,
    OfflineReduction,
)
from idchange.services.apply import apply_id_change
from idchange.services.availability import contract_offline_pending
from idchange.services.submit import submit_id_change
from tenants.scoping import operator_scope, tenant_scope
from tests.idchange.conftest import plan_line


@pytest.fixture
def processing_app(gw, alice, now):
    line = plan_line(gw)
    with tenant_scope(gw.tenant_id):
        app = submit_id_change(
            contract=gw, changes={line.pk: 2}, target="this_month", applicant=alice, now=now
        )
        return apply_id_change(application=app, now=now)


@pytest.mark.parametrize(
    "model",
    [IdChangeApplication, IdChangeApplicationLine, ContractLine, IdCountLedger, OfflineReduction, BusinessDayOverride],
)
def test_changelists_search_and_filter(operator_client, processing_app, model):
    url = reverse(f"admin:idchange_{model._meta.model_name}_changelist")
    assert operator_client.get(url, {"q": "A-google"}).status_code == HTTPStatus.OK


def test_application_change_page_opens(operator_client, processing_app):
    url = reverse("admin:idchange_idchangeapplication_change", args=[processing_app.pk])
    resp = operator_client.get(url)
    assert resp.status_code == HTTPStatus.OK
    assert processing_app.receipt_number in resp.content.decode()


def test_action_marks_processing_finished(operator_client, operator, processing_app):
    url = reverse("admin:idchange_idchangeapplication_changelist")
    resp = operator_client.post(
        url, {"action": "mark_processing_finished", "_selected_action": [processing_app.pk]}
    )
    assert resp.status_code == HTTPStatus.FOUND
    with operator_scope():
        processing_app.refresh_from_db()
        assert processing_app.status == "done"
        entry = AuditEntry.objects.get(action="idchange.application.processed")
        assert entry.actor == operator


def test_action_reports_service_errors(operator_client, gw, alice, now):
    line = plan_line(gw)
    with tenant_scope(gw.tenant_id):
        app = submit_id_change(
            contract=gw, changes={line.pk: -1}, target="next_month", applicant=alice, now=now
        )
    url = reverse("admin:idchange_idchangeapplication_changelist")
    resp = operator_client.post(
        url, {"action": "mark_processing_finished", "_selected_action": [app.pk]}, follow=True
    )
    assert "この申込は処理中ではありません。" in resp.content.decode()


def test_operator_registers_offline_reduction_which_locks_the_contract(operator_client, line_works):
    line = plan_line(line_works)
    resp = operator_client.post(
        reverse("admin:idchange_offlinereduction_add"),
        {"line": line.pk, "reduce_by": 3, "note": "営業経由 2026/05"},
    )
    assert resp.status_code == HTTPStatus.FOUND, resp.content.decode()[:2000]
    with operator_scope():
        red = OfflineReduction.objects.get()
        assert red.contract_id == line_works.pk and red.status == "pending"
        assert contract_offline_pending(line_works)
    # A second pending one is refused in the form.
    resp = operator_client.post(
        reverse("admin:idchange_offlinereduction_add"), {"line": line.pk, "reduce_by": 1}
    )
    assert resp.status_code == HTTPStatus.OK
    assert "年契約の ID 数削減申込がシステムに反映されるまで" in resp.content.decode()
    operator_client.post(
        reverse("admin:idchange_offlinereduction_changelist"),
        {"action": "reflect", "_selected_action": [red.pk]},
    )
    with operator_scope():
        line.refresh_from_db()
        assert line.id_count == 7


def test_operator_adds_a_line_with_its_initial_ledger_row(operator_client, m365):
    contract, _lines = m365
    resp = operator_client.post(
        reverse("admin:idchange_contractline_add"),
        {"contract": contract.pk, "item": "plan", "name": "Microsoft 365 E5", "unit_price": 6200,
         "display_order": 9, "initial_count": 2},
    )
    assert resp.status_code == HTTPStatus.FOUND, resp.context["adminform"].form.errors
    with operator_scope():
        line = ContractLine.objects.get(name="Microsoft 365 E5")
        assert line.id_count == 2
        assert IdCountLedger.objects.get(line=line).reason == "initial"


def test_override_saved_in_admin_clears_the_cache(operator_client, db):
    assert dict(business_days.overrides()) == {}
    resp = operator_client.post(
        reverse("admin:idchange_businessdayoverride_add"),
        {"date": "2026-05-29", "is_open": "", "note": "臨時休業"},
    )
    assert resp.status_code == HTTPStatus.FOUND
    assert dict(business_days.overrides()) == {date(2026, 5, 29): False}
    assert BusinessDayOverride.objects.count() == 1
