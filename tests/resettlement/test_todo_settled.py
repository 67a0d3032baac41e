"""The to-do source for 补充协议 after selection runs for the navigation's count after every page
of 业务科's: settled agreements are left out by its query, not read and checked one by one."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compensation.models import Agreement, CompensationBreakdown
from core.models import User
from projects.models import Project
from resettlement import demo
from resettlement import todo as resettlement_todo
from resettlement.models import Selection

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch):
    """The agreements the source computes (swap_due_or_error), by household code."""
    asked = []
    real = resettlement_todo.swap_due_or_error

    def counted(agreement):
        asked.append(agreement.household.code)
        return real(agreement)

    monkeypatch.setattr(resettlement_todo, "swap_due_or_error", counted)
    return asked


def _swap_agreements():
    project = Project.objects.get(code=demo.PROJECT_CODE)
    return Agreement.objects.filter(
        household__in=demo.swap_households(project), party="household"
    ).order_by("household__code")


def test_the_demos_settled_agreements_are_neither_read_nor_computed(demo_data, computed):
    operations = User.objects.get(username="operations")
    with CaptureQueriesContext(connection) as captured:
        assert resettlement_todo._swap_supplements(operations) == []
    assert computed == []
    assert len(captured) == 1
    # Compared to the fen: SQLite (`make run`) adds the agreement's amounts as floats, which
    # missed four of the demo's shares (scripts/smoke_sqlite.py checks it there).
    # The one query is the source's compiled statement (core.compiled), whose SQL rounds both.
    unsettled = resettlement_todo._unsettled_swap_agreements
    assert captured[0]["sql"].startswith(f"EXECUTE {unsettled._statement}")
    assert 'ROUND(U0."tenant_share", 2) = (ROUND((' in str(unsettled.build().query)


def test_an_agreement_the_breakdown_no_longer_matches_is_computed(demo_data, computed):
    operations = User.objects.get(username="operations")
    changed, later = _swap_agreements()[:2]
    # Its supplements no longer add up to the current breakdown.
    Agreement.objects.filter(pk=changed.pk).update(adjustment=changed.adjustment + 1)
    # A flat picked after its current breakdown was computed.
    breakdown = CompensationBreakdown.objects.current().get(household=later.household_id)
    Selection.objects.filter(household=later.household_id, is_active=True).update(
        selected_at=breakdown.computed_at + timedelta(seconds=1)
    )
    resettlement_todo._swap_supplements(operations)
    assert sorted(computed) == sorted([changed.household.code, later.household.code])

    computed.clear()
    CompensationBreakdown.objects.filter(pk=breakdown.pk).update(computed_at=timezone.now())
    Agreement.objects.filter(pk=changed.pk).update(adjustment=changed.adjustment)
    resettlement_todo._swap_supplements(operations)
    assert computed == []
