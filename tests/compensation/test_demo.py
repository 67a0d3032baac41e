import pytest
from django.db.models import Sum

from compensation import demo, ledger
from compensation.models import Agreement, Fund, HardshipSubsidy, LedgerEntry
from projects.models import Household, Stage, StageChange

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Fund, LedgerEntry, Agreement, HardshipSubsidy)]


def test_the_demo_pays_the_signed_households_and_nobody_else_once(demo_data):
    before = counts()  # the session's demo, loaded once on an empty database
    demo.load()
    assert counts() == before

    funds = list(Fund.objects.select_related("project"))
    assert len(funds) == 9  # every demo project past the appraisal stage
    signed = Household.objects.filter(project__fund__isnull=False, signed_on__isnull=False)
    assert Agreement.objects.count() == signed.count()
    assert not Agreement.objects.exclude(status="approved").exists()
    for agreement in Agreement.objects.all()[:200]:
        assert agreement.paid == agreement.amount
    unsigned = Household.objects.filter(signed_on__isnull=True)
    assert not LedgerEntry.objects.filter(household__in=unsigned).exists()

    for fund in funds:
        plan = fund.project.plans.get(status="approved")
        decision = StageChange.objects.get(project=fund.project, to_stage=Stage.DECISION)
        deposits = fund.entries.filter(kind="deposit", occurred_on__lt=decision.changed_at.date())
        before_decision = deposits.aggregate(total=Sum("amount"))["total"]
        assert before_decision >= plan.compensation_budget
        first_payment = fund.entries.filter(kind="disbursement").order_by("sequence").first()
        assert first_payment.occurred_on > decision.changed_at.date()
    assert ledger.check_all().is_ok
