"""The operator-editable override table and its cache (IDC-8)."""

from __future__ import annotations

from datetime import date

from idchange import business_days, rules
from idchange.models import BusinessDayOverride
from tests.idchange.conftest import jst


def test_overrides_are_cached_and_cleared_on_save_and_delete(db, django_assert_num_queries):
    business_days.clear_cache()
    with django_assert_num_queries(1):
        assert dict(business_days.overrides()) == {}
        assert dict(business_days.overrides()) == {}
    row = BusinessDayOverride.objects.create(date=date(2026, 5, 29), is_open=False, note="臨時休業")
    assert dict(business_days.overrides()) == {date(2026, 5, 29): False}
    row.is_open = True
    row.save()
    assert dict(business_days.overrides()) == {date(2026, 5, 29): True}
    row.delete()
    assert dict(business_days.overrides()) == {}


def test_an_override_moves_the_cutoff(db):
    """Closing 5/29 (Fri) makes the last 4 business days start on 5/25, not 5/26."""
    business_days.clear_cache()
    BusinessDayOverride.objects.create(date=date(2026, 5, 29), is_open=False)
    overrides = business_days.overrides()
    decision = rules.decide(
        service="google_workspace", item="plan", annual=False, nce=False, current=10, delta=1,
        target="this_month", at=jst(2026, 5, 25, 9, 0), overrides=overrides,
    )
    assert decision.error == rules.E_THIS_MONTH_CLOSED
