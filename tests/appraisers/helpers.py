"""Set-up helpers that go through the app's own services."""

from datetime import date
from decimal import Decimal

from appraisers import services
from appraisers.models import Commission, FirmSelection
from projects import services as project_services
from projects.models import Stage


def decided_by_negotiation(project, firms, *, staff, on=date(2022, 6, 1)) -> FirmSelection:
    selection = services.open_selection(project=project, by=staff, firms=firms, opened_on=on)
    total = project.households.count()
    return services.record_negotiation(
        selection=selection,
        by=staff,
        firm=firms[0],
        agreed_households=total,
        decided_on=on,
    )


def commissioned(project, firms, *, staff, on=date(2022, 6, 1)) -> Commission:
    selection = decided_by_negotiation(project, firms, staff=staff, on=on)
    commission = services.record_commission(
        selection=selection,
        by=staff,
        contract_number=f"WT-{project.code}",
        signed_on=on,
        fee=Decimal("120000.00"),
    )
    if project.stage == Stage.DECISION:
        # The firm is commissioned: the valuations are the appraisal stage's work.
        project_services.advance_stage(project=project, by=staff, today=on)
        project.refresh_from_db()
    return commission


def value(household, commission, *, by, n=1, amount="500000.00", delivered_on=None):
    valuers = list(commission.firm.valuers.filter(is_active=True)[:2])
    return services.record_valuation(
        household=household,
        by=by,
        report_number=f"R-{household.code}-{n}",
        appraised_value=Decimal(amount),
        unit_price=Decimal("5000.00"),
        valued_on=date(2022, 6, 1),
        reported_on=date(2022, 7, 1),
        delivered_on=delivered_on,
        valuers=valuers,
    )


def value_every_household(project, commission, *, by, delivered_on=None):
    return [
        value(household, commission, by=by, delivered_on=delivered_on)
        for household in project.households.order_by("code")
    ]


def value_project(project, *, staff, on=date(2022, 6, 1)) -> None:
    """Everything the appraisal stage needs: three firms, a negotiated selection, the commission
    and a valuation for every household not valued yet. For other apps' stage helpers
    (tests/projects/helpers.advance_to calls it before the 二榜)."""
    from tests.appraisers.factories import FirmFactory

    commission = Commission.objects.filter(selection__project=project).first()
    if commission is None:
        firms = [FirmFactory() for _ in range(3)]
        commission = commissioned(project, firms, staff=staff, on=on)
    for household in project.households.filter(valuations__isnull=True).order_by("code"):
        value(household, commission, by=staff)
