"""The demo tells one story for its 40 swap households: whoever signed before the selection day
settled the difference with a 补充协议 afterwards, whoever signed after it signed on the chosen
flats, so every agreement with its supplements says what the current breakdown says, and
nothing is left on 业务科's list."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from compensation import ledger
from compensation.models import Agreement, CompensationBreakdown
from core.models import User
from projects.models import Project
from resettlement import demo

pytestmark = pytest.mark.django_db


def test_every_swap_households_agreement_and_supplements_add_up_to_its_current_breakdown(
    demo_data,
):
    project = Project.objects.get(code=demo.PROJECT_CODE)
    households = demo.swap_households(project)
    assert len(households) == demo.SWAP_HOUSEHOLDS
    before = after = 0
    for household in households:
        agreement = Agreement.objects.get(household=household, party="household")
        breakdown = CompensationBreakdown.objects.current().get(household=household)
        supplements = agreement.supplements.aggregate(total=Sum("adjustment"))["total"]
        supplements = supplements or Decimal("0.00")
        assert agreement.adjustment == supplements, household.code
        assert agreement.amount + supplements == breakdown.tenant_share, household.code
        assert breakdown.lines.filter(code="swap_flat").exists(), household.code
        assert agreement.paid <= max(agreement.agreed_total, Decimal("0.00")), household.code
        if agreement.signed_on < demo.SELECTION_ON:
            before += 1
            supplement = agreement.supplements.get()
            assert supplement.signed_on == demo.SUPPLEMENTS_ON
            assert supplement.reason.startswith("产权调换选房后结算差价")
            assert "负" not in supplement.reason
        else:
            after += 1
            assert not agreement.supplements.exists()
            assert agreement.breakdown_id == breakdown.pk
    assert before >= 30 and after >= 1
    assert ledger.check_all().is_ok


def test_the_demo_leaves_no_swap_difference_on_the_desk_staffs_list(demo_data, client):
    client.force_login(User.objects.get(username="operations"))
    text = client.get(reverse("core:todo_list")).content.decode()
    assert "选房后差价需签补充协议" not in text
    project = Project.objects.get(code=demo.PROJECT_CODE)
    agreement = Agreement.objects.filter(
        household__project=project, supplements__isnull=False
    ).first()
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "产权调换选房后结算差价" in page
    assert "选房后差价需签补充协议" not in page
