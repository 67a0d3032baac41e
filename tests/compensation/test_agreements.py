from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from compensation import services
from compensation.models import Agreement, HardshipSubsidy
from projects import stages
from projects.models import Notice, Stage
from tests.compensation.factories import (
    agreement_request,
    approve_plan,
    approved_agreement,
    district_request,
    funded,
    reviewer,
    valued_household,
)
from tests.factories import HouseholdFactory, put_at_stage, sign_off_and_publish, staff

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def household(project):
    approve_plan(project)
    return valued_household(project, area="50.00", unit_price="4000.00")


def test_signing_locks_the_agreement_at_the_amount_computed_for_the_signing_day(
    household, district_member
):
    agreement = services.draft_agreements(
        household=household, by=district_member, method="monetary"
    )[0]
    signed = services.sign_agreement(
        agreement=agreement, by=district_member, signed_on=date(2022, 10, 8)
    )
    # Late: 200,000 + 1,000 + 3,600, no bonus.
    assert signed.amount == D("204600.00")
    assert signed.is_locked
    household.refresh_from_db()
    assert (household.signed_on, household.method) == (date(2022, 10, 8), "monetary")
    with pytest.raises(ValidationError, match="协议已锁定"):
        services.draft_agreements(household=household, by=district_member, method="monetary")


def test_a_change_to_a_signed_agreement_is_a_recorded_supplement(household, district_member):
    agreement = approved_agreement(household)
    supplement = services.add_supplement(
        agreement=agreement,
        by=reviewer(),
        number="BC-001",
        signed_on=date(2022, 7, 1),
        reason="复核后评估价值调增",
        adjustment=D("3200.00"),
    )
    agreement.refresh_from_db()
    assert agreement.amount == D("224600.00")
    assert agreement.agreed_total == D("227800.00")
    assert supplement.agreement == agreement


def test_nothing_is_paid_on_an_agreement_before_it_is_approved(
    household, district_member, finance_user
):
    fund = funded(household.project, "500000.00", by=finance_user)
    agreement = services.draft_agreements(
        household=household, by=district_member, method="monetary"
    )[0]
    services.sign_agreement(agreement=agreement, by=district_member, signed_on=date(2022, 6, 1))
    with pytest.raises(ValidationError, match="尚未审核通过"):
        agreement_request(fund, agreement, "1000.00", by=finance_user)


def test_the_drafter_cannot_approve_their_own_agreement(household):
    both = staff(username="both")
    both.groups.add(*reviewer().groups.all())
    agreement = services.draft_agreements(household=household, by=both, method="monetary")[0]
    services.sign_agreement(agreement=agreement, by=both, signed_on=date(2022, 6, 1))
    with pytest.raises(PermissionDenied):
        services.approve_agreement(agreement=agreement, by=both)


def test_a_household_is_never_paid_more_than_agreed(household, finance_user, leader_user):
    fund = funded(household.project, "500000.00", by=finance_user)
    agreement = approved_agreement(household)  # 224,600
    first = agreement_request(fund, agreement, "200000.00", by=finance_user)
    second = agreement_request(
        fund, agreement, "24600.00", by=finance_user, category="relocation", purpose="搬迁费等"
    )
    third = agreement_request(
        fund, agreement, "0.01", by=finance_user, category="other", purpose="多付"
    )
    services.approve_disbursement(request=first, approved_by=leader_user)
    services.approve_disbursement(request=second, approved_by=leader_user)
    with pytest.raises(ValidationError, match="超过协议金额"):
        services.approve_disbursement(request=third, approved_by=leader_user)
    agreement.refresh_from_db()
    assert agreement.paid == D("224600.00")
    assert services.household_paid(household.pk) == D("224600.00")


def test_the_database_refuses_a_paid_figure_above_the_agreement(household):
    agreement = approved_agreement(household)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(paid=D("224600.01"))


def test_reversing_a_household_payment_gives_it_back_to_the_agreement(
    household, finance_user, leader_user
):
    fund = funded(household.project, "500000.00", by=finance_user)
    agreement = approved_agreement(household)
    request = agreement_request(fund, agreement, "1000.00", by=finance_user)
    entry = services.approve_disbursement(request=request, approved_by=leader_user)
    services.reverse_entry(entry=entry, by=finance_user, reason="账号错误")
    agreement.refresh_from_db()
    assert agreement.paid == D("0.00")
    assert services.household_paid(household.pk) == D("0.00")


def test_public_housing_gets_one_agreement_per_party(project, district_member):
    approve_plan(project)
    household = valued_household(
        project,
        area="80.00",
        unit_price="5000.00",
        appraised_value="410000.00",
        is_public_housing=True,
        owner_unit="邵阳市房产管理局",
    )
    tenant, owner = services.draft_agreements(
        household=household, by=district_member, method="monetary"
    )
    assert (tenant.party, owner.party) == ("household", "owner_unit")
    assert owner.party_name == "邵阳市房产管理局"
    assert tenant.amount + owner.amount == tenant.breakdown.compensation_total
    assert owner.amount == D("123000.00")


def test_a_hardship_subsidy_is_payable_only_after_its_notice_has_run(
    project, finance_user, leader_user
):
    approve_plan(project)
    household = valued_household(project, area="50.00", unit_price="4000.00", hardship="dibao")
    office = staff(username="subsidy-clerk")
    services.register_subsidies(project=project, by=office)
    subsidy = HardshipSubsidy.objects.get(household=household)
    assert subsidy.amount == D("5000.00")
    fund = funded(project, "10000.00", by=finance_user)
    with pytest.raises(ValidationError, match="公示期尚未届满"):
        services.request_disbursement(
            fund=fund,
            by=finance_user,
            idempotency_key="s1",
            amount=D("5000.00"),
            category="hardship",
            purpose="困难补助",
            subsidy=subsidy,
        )

    notice = services.post_subsidy_notice(project=project, by=office, period_days=5)
    assert notice.kind == Notice.Kind.HARDSHIP
    assert household.head_name not in notice.body  # masked for the public
    assert household.head_name[0] + "*" in notice.body
    sign_off_and_publish(notice, by=finance_user, on=date(2022, 5, 9))
    notice.refresh_from_db()
    subsidy.refresh_from_db()
    assert subsidy.notice == notice
    assert not subsidy.is_payable(notice.ends_on)
    after = notice.ends_on + timedelta(days=1)
    request = services.request_disbursement(
        fund=fund,
        by=finance_user,
        idempotency_key="s1",
        amount=D("5000.00"),
        category="hardship",
        purpose="困难补助",
        subsidy=subsidy,
        today=after,
    )
    services.approve_disbursement(request=request, approved_by=leader_user, today=after)
    subsidy.refresh_from_db()
    assert subsidy.paid == D("5000.00")


def test_the_final_accounts_freeze_the_figures_and_close_the_books(
    project, finance_user, leader_user
):
    fund = funded(project, "3000.00", by=finance_user)
    request = district_request(fund, "3000.00", by=finance_user)
    services.approve_disbursement(request=request, approved_by=leader_user)
    services.save_cost_budget(
        project=project, by=finance_user, amounts={"working": D("2500.00")}, note="工作经费"
    )
    services.approve_cost_budget(project=project, by=leader_user)
    put_at_stage(project, Stage.ENFORCEMENT)
    # Closing the books needs every household settled (projects.gates): the one household signed.
    HouseholdFactory(project=project, signed_on=date(2022, 6, 1), method="monetary")
    services.save_final_account(project=project, by=finance_user, note="决算")
    account = services.approve_final_account(project=project, by=leader_user)
    line = account.lines.get(category="working")
    assert (line.budgeted, line.actual, line.variance) == (D("2500.00"), D("3000.00"), D("500.00"))
    with pytest.raises(ValidationError, match="已封账"):
        services.record_deposit(
            fund=fund,
            by=finance_user,
            amount=D("1"),
            source="other",
            voucher_number="X",
            received_on=date(2022, 12, 1),
        )
    with pytest.raises(ValidationError, match="冻结"):
        services.save_final_account(project=project, by=finance_user, note="改")


def test_the_plan_stage_needs_the_budgeted_money_in_the_fund(project, finance_user):
    approve_plan(project, compensation_budget=D("800000.00"))
    project.stage = "plan"
    missing = stages.missing_to_leave(project, date(2022, 6, 1))
    assert any("尚未开设项目资金账户" in message for message in missing)
    funded(project, "799999.99", by=finance_user)
    missing = stages.missing_to_leave(project, date(2022, 6, 1))
    assert any("补偿资金未足额到位" in message for message in missing)
    funded(project, "0.01", by=finance_user)
    missing = stages.missing_to_leave(project, date(2022, 6, 1))
    assert not any("补偿资金" in message for message in missing)
