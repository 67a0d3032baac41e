"""Demo data for the compensation fund, consistent with the demo projects' signings.

For every demo project with an approved plan and valuations (those past the appraisal stage):
a fund opened before the expropriation decision and filled before it (Decree 590 art. 12) with
at least the plan's compensation budget and everything its households are due; a price
catalogue and counted items; a breakdown for every valued household (computed by
compensation.calculation, like any other); for each signed household an approved agreement and
its payments by category on the days after signing (so signed households are paid in full and
the others are not paid); hardship subsidies posted in a 困难补助公示 and paid after it ran; the
appraisal fee and working funds paid to the district office; an approved cost budget; the
project completed in 2021 has its final accounts approved and frozen. Two projects have a
working-funds request waiting for a leader. The two projects still in the survey have no fund
yet (the funds page offers to open one).

It assumes core's, projects' and appraisers' demo data, and does nothing for a missing project
or one that has a fund already, so running `load_demo` twice changes nothing. Rows are written
in bulk; ledger entries still carry a valid hash chain (computed in Python, in order, by
compensation.ledger.build_entry). Names come from the projects' demo (invented people).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from appraisers.models import Commission, Valuation
from compensation import calculation, ledger
from compensation.models import (
    ZERO,
    Agreement,
    BreakdownLine,
    Category,
    CompensationBreakdown,
    CostBudget,
    CostBudgetLine,
    DisbursementRequest,
    FinalAccount,
    FinalAccountLine,
    Fund,
    HardshipSubsidy,
    ItemCount,
    LedgerEntry,
    PayeeKind,
    PriceItem,
)
from compensation.services import actuals_by_category
from core.masking import mask_name
from core.models import User
from projects.models import CompensationPlan, Household, Notice, Project, Stage, StageChange
from projects.services import posting_period

PROJECT_NAMES = [
    "江北市场棚改",
    "六岭棚改",
    "水利局棚改",
    "中驰棚改",
    "青云街棚改",
    "桃花新村棚改",
    "白田片区棚改",
    "城南片区棚改",
    "西湖路学校扩建项目",
    "北塔区C-12地块",
    "三里桥道路改造工程",
]
# The catalogue of items counted on site (name, unit, unit price in yuan).
PRICE_ITEMS = [
    ("电表迁移", "户", Decimal("800.00")),
    ("水表迁移", "户", Decimal("600.00")),
    ("空调移机", "台", Decimal("300.00")),
    ("宽带迁移", "户", Decimal("200.00")),
    ("热水器拆装", "台", Decimal("200.00")),
]
LAST_DAY = date(2022, 12, 31)
# Working funds paid to the district office: this share of the compensation due, in 万元.
WORKING_SHARE = Decimal("0.01")
PENDING_REQUESTS = {"中驰棚改", "白田片区棚改"}
# What a household payment of each category is called in its ledger line.
PURPOSES = {
    Category.HOUSE: "房屋补偿款",
    Category.INCENTIVE: "提前签约奖励",
    Category.OTHER: "实物清点项目补偿",
}


def _purpose(category: str) -> str:
    return PURPOSES.get(category, Category(category).label)


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _ceil(amount: Decimal, step: int = 10000) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


@dataclass
class Payment:
    """One ledger event of the demo, before it becomes rows."""

    day: date
    order: int  # deposits first on a day
    kind: str
    amount: Decimal  # positive: what moves
    category: str = ""
    source: str = ""
    voucher: str = ""
    purpose: str = ""
    household: Household | None = None
    agreement: Agreement | None = None
    subsidy: HardshipSubsidy | None = None


def load() -> None:
    names = ["finance", "leader", "legal", "operations"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names):
        return
    projects = Project.objects.filter(name__in=PROJECT_NAMES, fund__isnull=True)
    with transaction.atomic():
        for project in projects.select_related("district").order_by("code"):
            plan = project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
            valued = Valuation.objects.current().filter(household__project=project)
            if plan is None or not valued.exists():
                continue
            _load_project(project, plan, users)


def _entered(project: Project) -> dict[str, date]:
    changes = StageChange.objects.filter(project=project).order_by("changed_at")
    return {change.to_stage: timezone.localdate(change.changed_at) for change in changes}


def _load_project(project: Project, plan: CompensationPlan, users: dict) -> None:
    rng = random.Random(f"compensation-{project.code}")  # noqa: S311  (invented demo data)
    entered = _entered(project)
    decision = entered.get(Stage.DECISION) or project.started_on
    district_user = User.objects.filter(district=project.district).order_by("pk").first()
    drafter = district_user or users["operations"]
    households = list(project.households.order_by("code"))
    valuations = {
        v.household_id: v for v in Valuation.objects.current().filter(household__project=project)
    }

    counted = _catalogue(project, households, valuations, rng, drafter)
    breakdowns = _breakdowns(project, plan, households, valuations, counted, drafter)
    agreements = _agreements(project, households, breakdowns, drafter, users["legal"])
    subsidies = _subsidies(project, plan, households, valuations, entered, users["operations"])

    payments: list[Payment] = []
    for household in households:
        agreement = agreements.get(household.pk)
        if agreement is None:
            continue
        pay_day = min(household.signed_on + timedelta(days=rng.randrange(5, 20)), LAST_DAY)
        by_category: dict[str, Decimal] = {}
        for line in breakdowns[household.pk][1].lines:
            if not line.is_subsidy:
                by_category[line.category] = by_category.get(line.category, ZERO) + line.amount
        for category, amount in by_category.items():
            if amount > 0:
                payments.append(
                    Payment(
                        pay_day,
                        2,
                        LedgerEntry.Kind.DISBURSEMENT,
                        amount,
                        category=category,
                        purpose=f"{household.code}户{_purpose(category)}（协议{agreement.number}）",
                        household=household,
                        agreement=agreement,
                    )
                )
    for subsidy in subsidies:
        household = subsidy.household
        if household.signed_on is None or subsidy.notice is None:
            continue
        day = max(subsidy.notice.ends_on + timedelta(days=3), household.signed_on)
        payments.append(
            Payment(
                min(day, LAST_DAY),
                2,
                LedgerEntry.Kind.DISBURSEMENT,
                subsidy.amount,
                category=Category.HARDSHIP,
                purpose=f"{household.code}户困难补助",
                household=household,
                subsidy=subsidy,
            )
        )

    total_due = sum((b.total for b, _result in breakdowns.values()), ZERO)
    working = _ceil(total_due * WORKING_SHARE, 1000)
    commission = Commission.objects.filter(selection__project=project).first()
    appraisal_fee = commission.fee if commission else ZERO
    office = project.district.office_name or project.district.name
    if commission:
        payments.append(
            Payment(
                commission.signed_on + timedelta(days=30),
                2,
                LedgerEntry.Kind.DISBURSEMENT,
                appraisal_fee,
                category=Category.APPRAISAL,
                purpose=f"评估费（委托合同{commission.contract_number}）",
            )
        )
    payments.append(
        Payment(
            decision + timedelta(days=15),
            2,
            LedgerEntry.Kind.DISBURSEMENT,
            working,
            category=Category.WORKING,
            purpose=f"{office}征收工作经费",
        )
    )
    # The money is in the account, in full, before the decision: the plan's budget and
    # everything the households are due, with the fees.
    need = max(plan.compensation_budget, _ceil(total_due + appraisal_fee + working * 2))
    fiscal = _ceil(need * Decimal("0.7"), 100000)
    payments += [
        Payment(
            decision - timedelta(days=20),
            1,
            LedgerEntry.Kind.DEPOSIT,
            fiscal,
            source=LedgerEntry.Source.FISCAL,
            voucher=f"邵财建〔{(decision - timedelta(days=20)).year}〕{rng.randrange(10, 99)}号",
            purpose="财政拨付征收补偿资金",
        ),
        Payment(
            decision - timedelta(days=10),
            1,
            LedgerEntry.Kind.DEPOSIT,
            need - fiscal,
            source=LedgerEntry.Source.OWNER,
            voucher=f"YZ-{project.code}-01",
            purpose="项目业主缴存征收补偿资金",
        ),
    ]
    fund = Fund.objects.create(
        project=project,
        account_number=f"4305-0100-{project.pk:04d}",
        opened_on=decision - timedelta(days=30),
        opened_by=users["finance"],
    )
    if project.stage == Stage.ARCHIVED and project.completed_on:
        # Closing the fund needs a zero balance (projects.gates): what is left after the last
        # payment goes to the district office as its final working funds, before completion.
        left = sum(
            (p.amount if p.kind == LedgerEntry.Kind.DEPOSIT else -p.amount for p in payments), ZERO
        )
        if left > 0:
            payments.append(
                Payment(
                    project.completed_on - timedelta(days=10),
                    3,
                    LedgerEntry.Kind.DISBURSEMENT,
                    left,
                    category=Category.WORKING,
                    purpose=f"{office}征收工作经费（结算）",
                )
            )
    _post(fund, payments, users, office)

    if project.name in PENDING_REQUESTS:
        DisbursementRequest.objects.create(
            fund=fund,
            idempotency_key=f"demo-{project.code}-pending",
            payee_kind=PayeeKind.DISTRICT,
            amount=Decimal("50000.00"),
            category=Category.WORKING,
            purpose=f"{office}2023年第一季度征收工作经费",
            paid_on=date(2023, 1, 10),
            requested_by=users["finance"],
            requested_at=_at(date(2023, 1, 5)),
        )
    _cost_accounts(project, plan, breakdowns, appraisal_fee, working, users)


def _catalogue(project, households, valuations, rng, by) -> dict[int, list[ItemCount]]:
    items = bulk_create_with_history(
        [
            PriceItem(project=project, name=name, unit=unit, unit_price=price, sort_order=n)
            for n, (name, unit, price) in enumerate(PRICE_ITEMS, start=1)
        ],
        PriceItem,
        default_user=by,
    )
    counted: dict[int, list[ItemCount]] = {}
    rows = []
    for household in households:
        if household.pk not in valuations:
            continue
        quantities = [1, 1, rng.randrange(0, 4), rng.randrange(0, 2), rng.randrange(0, 2)]
        for item, quantity in zip(items, quantities, strict=True):
            if quantity:
                count = ItemCount(
                    household=household, item=item, quantity=Decimal(quantity), counted_by=by
                )
                rows.append(count)
                counted.setdefault(household.pk, []).append(count)
    bulk_create_with_history(rows, ItemCount, batch_size=1000, default_user=by)
    return counted


def _breakdowns(project, plan, households, valuations, counted, by) -> dict:
    """{household id: (stored breakdown, calculation result)} for every valued household."""
    results = {}
    rows = []
    for household in households:
        valuation = valuations.get(household.pk)
        if valuation is None:
            continue
        method = household.method or Household.Method.MONETARY
        inputs = calculation.Inputs(
            area=household.area,
            use=household.use,
            hardship=household.hardship,
            is_public_housing=household.is_public_housing,
            method=method,
            appraised_value=valuation.appraised_value,
            unit_price=valuation.unit_price,
            signed_on=household.signed_on,
            # The demo plans swap for the same building area (their swap rules say so).
            swap_area=household.area if method == Household.Method.SWAP else None,
            items=tuple(
                calculation.CountedItem(c.item.name, c.item.unit, c.item.unit_price, c.quantity)
                for c in counted.get(household.pk, [])
            ),
        )
        result = calculation.compute(plan, inputs)
        results[household.pk] = result
        rows.append(
            CompensationBreakdown(
                household=household,
                plan=plan,
                valuation=valuation,
                method=method,
                swap_area=inputs.swap_area,
                signed_on=household.signed_on,
                compensation_total=result.compensation_total,
                subsidy_total=result.subsidy_total,
                total=result.total,
                owner_share=result.owner_share,
                tenant_share=result.tenant_share,
                notes="\n".join(result.notes),
                computed_by=by,
                computed_at=_at(household.signed_on or valuation.reported_on, 9),
            )
        )
    stored = bulk_create_with_history(rows, CompensationBreakdown, batch_size=500, default_user=by)
    lines = [
        BreakdownLine(
            breakdown=breakdown,
            position=position,
            code=line.code,
            label=line.label,
            basis=line.basis,
            amount=line.amount,
            category=line.category,
            is_subsidy=line.is_subsidy,
        )
        for breakdown in stored
        for position, line in enumerate(results[breakdown.household_id].lines, start=1)
    ]
    BreakdownLine.objects.bulk_create(lines, batch_size=2000)
    return {b.household_id: (b, results[b.household_id]) for b in stored}


def _agreements(project, households, breakdowns, drafter, reviewer) -> dict[int, Agreement]:
    rows = []
    for household in households:
        if household.signed_on is None or household.pk not in breakdowns:
            continue
        breakdown, result = breakdowns[household.pk]
        rows.append(
            Agreement(
                household=household,
                party=Agreement.Party.HOUSEHOLD,
                party_name=household.head_name,
                number=f"{project.code}-{household.code}",
                breakdown=breakdown,
                method=breakdown.method,
                swap_area=breakdown.swap_area,
                amount=result.tenant_share,
                status=Agreement.Status.APPROVED,
                signed_on=household.signed_on,
                drafted_by=drafter,
                drafted_at=_at(household.signed_on - timedelta(days=2)),
                reviewed_by=reviewer,
                reviewed_at=_at(household.signed_on + timedelta(days=2), 16),
                review_note="同意。",
            )
        )
    stored = bulk_create_with_history(rows, Agreement, batch_size=500, default_user=drafter)
    return {agreement.household_id: agreement for agreement in stored}


def _subsidies(project, plan, households, valuations, entered, by) -> list[HardshipSubsidy]:
    vulnerable = [h for h in households if h.hardship and h.pk in valuations]
    amounts = {
        h.pk: calculation.round_amount(plan.subsidy_for(h.hardship), plan.rounding)
        for h in vulnerable
    }
    vulnerable = [h for h in vulnerable if amounts[h.pk] > 0]
    if not vulnerable:
        return []
    published = (entered.get(Stage.SIGNING) or project.started_on) + timedelta(days=10)
    period = posting_period(Notice.Kind.HARDSHIP, published, 7)
    rows = [
        f"{h.code} {mask_name(h.head_name)} {h.get_hardship_display()} {amounts[h.pk]:,.2f}元"
        for h in vulnerable
    ]
    notice = bulk_create_with_history(
        [
            Notice(
                project=project,
                kind=Notice.Kind.HARDSHIP,
                title=f"{project.name}困难补助公示",
                body="\n".join(
                    [
                        "根据经批准的补偿方案，拟对下列困难被征收户给予困难补助，现予公示，"
                        "公示期7日。（演示数据）",
                        *rows,
                    ]
                ),
                period_days=7,
                published_on=published,
                ends_on=period.due,
                period_explanation="\n".join(period.explanation),
                published_by=by,
                created_by=by,
                created_at=_at(published - timedelta(days=2)),
            )
        ],
        Notice,
        default_user=by,
    )[0]
    signed = {h.pk for h in vulnerable if h.signed_on}
    return bulk_create_with_history(
        [
            HardshipSubsidy(
                household=h,
                plan=plan,
                hardship=h.hardship,
                amount=amounts[h.pk],
                notice=notice,
                paid=amounts[h.pk] if h.pk in signed else ZERO,
                created_by=by,
                created_at=_at(published - timedelta(days=5)),
            )
            for h in vulnerable
        ],
        HardshipSubsidy,
        default_user=by,
    )


def _post(fund: Fund, payments: list[Payment], users: dict, office: str) -> None:
    """Write the requests and the hash-chained entries in date order."""
    payments.sort(key=lambda p: (p.day, p.order, p.household.code if p.household else ""))
    disbursements = [p for p in payments if p.kind == LedgerEntry.Kind.DISBURSEMENT]
    requests = bulk_create_with_history(
        [
            DisbursementRequest(
                fund=fund,
                idempotency_key=f"demo-{fund.project.code}-{n}",
                payee_kind=PayeeKind.HOUSEHOLD if p.household else PayeeKind.DISTRICT,
                household=p.household,
                agreement=p.agreement,
                subsidy=p.subsidy,
                amount=p.amount,
                category=p.category,
                purpose=p.purpose,
                paid_on=p.day,
                status=DisbursementRequest.Status.POSTED,
                requested_by=users["finance"],
                requested_at=_at(p.day - timedelta(days=2), 9),
                decided_by=users["leader"],
                decided_at=_at(p.day, 11),
            )
            for n, p in enumerate(disbursements, start=1)
        ],
        DisbursementRequest,
        batch_size=1000,
        default_user=users["finance"],
    )
    request_of = {id(p): r for p, r in zip(disbursements, requests, strict=True)}
    entries = []
    paid: dict[int, Decimal] = {}
    for p in payments:
        if p.kind == LedgerEntry.Kind.DEPOSIT:
            fields = {
                "kind": p.kind,
                "amount": p.amount,
                "source": p.source,
                "voucher_number": p.voucher,
                "purpose": p.purpose,
            }
            by = users["finance"]
        else:
            fields = {
                "kind": p.kind,
                "amount": -p.amount,
                "payee_kind": PayeeKind.HOUSEHOLD if p.household else PayeeKind.DISTRICT,
                "payee_name": p.agreement.party_name
                if p.agreement
                else (p.household.head_name if p.household else office),
                "household_id": p.household.pk if p.household else None,
                "agreement_id": p.agreement.pk if p.agreement else None,
                "subsidy_id": p.subsidy.pk if p.subsidy else None,
                "category": p.category,
                "purpose": p.purpose,
                "request_id": request_of[id(p)].pk,
            }
            by = users["leader"]
            if p.agreement:
                paid[p.agreement.pk] = paid.get(p.agreement.pk, ZERO) + p.amount
        entries.append(
            ledger.build_entry(
                fund,
                recorded_by=by,
                recorded_at=_at(p.day, 11 if p.kind != "deposit" else 10),
                occurred_on=p.day,
                **fields,
            )
        )
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    fund.save(update_fields=ledger.FUND_FIELDS)
    agreements = list(Agreement.objects.filter(pk__in=paid))
    for agreement in agreements:
        agreement.paid = paid[agreement.pk]
    Agreement.objects.bulk_update(agreements, ["paid"], batch_size=1000)


def _cost_accounts(project, plan, breakdowns, appraisal_fee, working, users) -> None:
    due: dict[str, Decimal] = dict.fromkeys(Category.values, ZERO)
    for _breakdown, result in breakdowns.values():
        for line in result.lines:
            due[line.category] += line.amount
    due[Category.APPRAISAL] += appraisal_fee
    due[Category.WORKING] += working * 2
    approved_on = (plan.decided_at or timezone.now()) + timedelta(days=5)
    budget = bulk_create_with_history(
        [
            CostBudget(
                project=project,
                status=CostBudget.Status.APPROVED,
                note="按补偿方案和调查登记结果编制（演示数据）。",
                prepared_by=users["finance"],
                approved_by=users["leader"],
                approved_at=approved_on,
            )
        ],
        CostBudget,
        default_user=users["finance"],
    )[0]
    amounts = {
        category: _ceil(max(amount, ZERO) * Decimal("1.03"), 1000)
        for category, amount in due.items()
    }
    bulk_create_with_history(
        [
            CostBudgetLine(budget=budget, category=category, amount=amounts[category])
            for category in Category.values
        ],
        CostBudgetLine,
        default_user=users["finance"],
    )
    if project.stage != Stage.ARCHIVED:
        return
    actual = actuals_by_category(project)
    account = bulk_create_with_history(
        [
            FinalAccount(
                project=project,
                status=FinalAccount.Status.APPROVED,
                note="项目已完成，决算经审定（演示数据）。",
                prepared_by=users["finance"],
                approved_by=users["leader"],
                approved_at=_at(project.completed_on or LAST_DAY, 15),
            )
        ],
        FinalAccount,
        default_user=users["finance"],
    )[0]
    FinalAccountLine.objects.bulk_create(
        [
            FinalAccountLine(
                account=account,
                category=category,
                budgeted=amounts[category],
                actual=actual[category],
            )
            for category in Category.values
        ]
    )
