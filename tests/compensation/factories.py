"""Set-up helpers for the compensation tests: plans, valuations, funds and agreements, made
through the services users trigger wherever this app owns them."""

import itertools
from datetime import date
from decimal import Decimal

from stdnum.cn import uscc

from appraisers.models import AppraisalFirm, Commission, FirmSelection, Valuation
from compensation import services
from compensation.models import Agreement, Category, Fund
from core.roles import Section
from projects import services as project_services
from projects.models import CompensationPlan, Household, Project, Stage
from tests.factories import HouseholdFactory, approve_plan_fully, district_user, put_at_stage, staff

_serial = itertools.count(1)

PLAN = {
    "valuation_basis": "以征收决定公告之日为价值时点。",
    "relocation_allowance": Decimal("1000.00"),
    "temporary_rate": Decimal("12.00"),
    "temporary_months": 24,
    "monetary_temporary_months": 6,
    "early_signing_bonus": Decimal("20000.00"),
    "early_signing_deadline": date(2022, 9, 30),
    "subsidy_dibao": Decimal("5000.00"),
    "subsidy_tekun": Decimal("8000.00"),
    "subsidy_disabled": Decimal("6000.00"),
    "subsidy_poverty": Decimal("10000.00"),
    "swap_unit_price": Decimal("4500.00"),
    "business_loss_rate": Decimal("5.00"),
    "public_tenant_percent": Decimal("70.00"),
    "compensation_budget": Decimal("0.00"),
    "document": "plans/test.pdf",
}


def finance(username="finance", name="钱财务"):
    return staff(Section.FINANCE, username=username, name=name)


def leader(username="leader", name="孙领导"):
    return staff(Section.LEADER, username=username, name=name)


def reviewer(username="legal", name="法规审核"):
    return staff(Section.LEGAL, username=username, name=name)


def approve_plan(project: Project, **overrides) -> CompensationPlan:
    """Submit the plan as the project's district and approve it as the office."""
    submitter = district_user(project.district, username=f"plan-{project.district.code}")
    plan = project_services.submit_plan(project=project, by=submitter, **{**PLAN, **overrides})
    return approve_plan_fully(plan)


def _commission(project: Project) -> Commission:
    existing = Commission.objects.filter(selection__project=project).first()
    if existing:
        return existing
    n = next(_serial)
    body = f"91430500MA4{n:06d}"
    firm = AppraisalFirm.objects.create(
        name=f"补偿测试估价公司{n}",
        credit_code=body + uscc.calc_check_digit(body),
        grade=AppraisalFirm.Grade.SECOND,
        certificate_number=f"测试证{n}",
        qualification_expires_on=date(2099, 12, 31),
    )
    selection = FirmSelection.objects.create(
        project=project,
        opened_on=date(2022, 3, 1),
        method=FirmSelection.Method.NEGOTIATION,
        winner=firm,
        decided_on=date(2022, 3, 10),
        agreed_households=1,
        household_count=1,
    )
    return Commission.objects.create(
        selection=selection,
        firm=firm,
        contract_number=f"WT-{n}",
        signed_on=date(2022, 3, 12),
        fee=Decimal("10000.00"),
    )


def value(household: Household, *, unit_price, appraised_value) -> Valuation:
    """The household's valuation in force (made directly: the appraisal workflow is not
    what these tests are about)."""
    commission = _commission(household.project)
    if household.project.stage_enum.position < Stage.SIGNING.position:
        put_at_stage(household.project, Stage.SIGNING)
    return Valuation.objects.create(
        household=household,
        commission=commission,
        firm=commission.firm,
        report_number=f"BG-{next(_serial)}",
        appraised_value=Decimal(appraised_value),
        unit_price=Decimal(unit_price),
        valued_on=date(2022, 4, 1),
        reported_on=date(2022, 4, 20),
    )


def valued_household(project: Project, *, unit_price="5000.00", appraised_value=None, **fields):
    household = HouseholdFactory(project=project, **fields)
    appraised = appraised_value or Decimal(unit_price) * Decimal(household.area)
    value(
        household,
        unit_price=unit_price,
        appraised_value=Decimal(appraised).quantize(Decimal("0.01")),
    )
    return household


def funded(project: Project, amount, *, by=None) -> Fund:
    by = by or finance()
    fund = Fund.objects.filter(project=project).first() or services.open_fund(
        project=project, by=by, opened_on=date(2022, 1, 5)
    )
    if Decimal(amount):
        services.record_deposit(
            fund=fund,
            by=by,
            amount=Decimal(amount),
            source="fiscal",
            voucher_number=f"PZ-{next(_serial)}",
            received_on=date(2022, 1, 10),
        )
    fund.refresh_from_db()
    return fund


def approved_agreement(household: Household, *, method="monetary", swap_area=None) -> Agreement:
    """Drafted by the household's district, signed, and approved by the legal section."""
    drafter = district_user(
        household.project.district, username=f"drafter-{household.project.district.code}"
    )
    agreement = services.draft_agreements(
        household=household, by=drafter, method=method, swap_area=swap_area
    )[0]
    services.sign_agreement(agreement=agreement, by=drafter, signed_on=date(2022, 6, 1))
    return services.approve_agreement(agreement=agreement, by=reviewer())


def district_request(
    fund: Fund, amount, *, by, key=None, category=Category.WORKING, purpose="工作经费"
):
    """A request to the district office; its project's plan is approved first (the gate)."""
    _approved_plan(fund.project)
    return services.request_disbursement(
        fund=fund,
        by=by,
        idempotency_key=key or f"key-{next(_serial)}",
        amount=Decimal(amount),
        category=category,
        purpose=purpose,
        paid_on=date(2022, 6, 1),
    )


def agreement_request(
    fund: Fund,
    agreement: Agreement,
    amount,
    *,
    by,
    key=None,
    category=Category.HOUSE,
    purpose="补偿款",
):
    """A request to pay `agreement`'s household `amount` (yuan, str or Decimal) from `fund`."""
    return services.request_disbursement(
        fund=fund,
        by=by,
        idempotency_key=key or f"key-{next(_serial)}",
        amount=Decimal(amount),
        category=category,
        purpose=purpose,
        agreement=agreement,
    )


def _approved_plan(project: Project) -> None:
    if not project.plans.filter(status=CompensationPlan.Status.APPROVED).exists():
        approve_plan(project)


def ready_to_sign(project: Project, **fields) -> Household:
    """A valued household of a project in 签约 (approved plan, 征收决定公告, a run-out 二榜) with
    its agreement drafted: what projects.gates asks before it is signed."""
    _approved_plan(project)
    household = valued_household(project, **fields)
    drafter = district_user(project.district, username=f"drafter-{project.district.code}")
    services.draft_agreements(household=household, by=drafter, method="monetary")
    return household


def ready_for_decision(project: Project, **fields) -> Household:
    """An unsigned, valued household with its computed breakdown, in a project that has reached
    补偿决定: a compensation decision may be made for it, at the breakdown's amount."""
    _approved_plan(project)
    household = valued_household(project, **fields)
    services.compute_breakdown(household=household, by=staff(username="breakdown-clerk"))
    put_at_stage(project, Stage.ENFORCEMENT)
    return household
