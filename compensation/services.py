"""Writes on the compensation fund, households' compensation, agreements, subsidies and the
cost accounts. Views and jobs call exactly one of these; each validates, writes inside one
transaction and leaves the audit trail (ledger entries, simple_history rows).

Money moves only through `record_deposit`, `approve_disbursement` and `reverse_entry`, each under
the fund's row lock (compensation.ledger.lock_fund), so the balance never goes below zero under
any concurrency, and every household payment is checked against what was agreed under the same
lock (and by the database's CHECK constraints on `Agreement.paid` and `HardshipSubsidy.paid`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compensation import calculation, ledger
from compensation import notifications as payment_notifications
from compensation.documents import validate_template
from compensation.models import (
    ZERO,
    Agreement,
    BreakdownLine,
    Category,
    CompensationBreakdown,
    CostBudget,
    CostBudgetLine,
    DisbursementRequest,
    DocumentTemplate,
    FinalAccount,
    FinalAccountLine,
    Fund,
    HardshipSubsidy,
    ItemCount,
    LedgerEntry,
    PayeeKind,
    PriceItem,
    Supplement,
)
from core import permissions, signoffs
from core.formatting import cn_date
from core.masking import mask_name
from core.models import SignOff, User
from projects import gates
from projects import services as project_services
from projects.models import CompensationPlan, Household, Notice, Project

CENT = Decimal("0.01")

# ---------------------------------------------------------------------------
# Who may do what (visibility by district is core.scoping's job)


def ensure_finance(user: User) -> None:
    """The fund's books are kept by 计划财务科 (the maker of every payment)."""
    permissions.ensure(user, "compensation.keep_fund")


def ensure_leader(user: User) -> None:
    """Payments and the cost accounts are approved by a 领导 (the checker)."""
    permissions.ensure(user, "compensation.approve_payment")


def ensure_reviewer(user: User) -> None:
    """Agreements and their supplements are reviewed by the legal section or a leader."""
    permissions.ensure(user, "compensation.review_agreement")


def _ensure_books_open(project: Project) -> None:
    if FinalAccount.objects.filter(project=project, status=FinalAccount.Status.APPROVED).exists():
        raise ValidationError(_("项目决算已审定，资金账户已封账，不能再记账。"))


# ---------------------------------------------------------------------------
# The fund and its ledger


@transaction.atomic
def open_fund(
    *, project: Project, by: User, opened_on: date | None = None, account_number: str = ""
) -> Fund:
    ensure_finance(by)
    gates.ensure_allowed("fund.open", project=project, today=opened_on)
    if Fund.objects.filter(project=project).exists():
        raise ValidationError(_("该项目已开设资金账户。"))
    fund = Fund(
        project=project,
        opened_on=opened_on or timezone.localdate(),
        opened_by=by,
        account_number=account_number.strip(),
    )
    fund.full_clean()
    fund.save()
    return fund


@transaction.atomic
def record_deposit(
    *,
    fund: Fund,
    by: User,
    amount: Decimal,
    source: str,
    voucher_number: str,
    received_on: date,
    purpose: str = "",
) -> LedgerEntry:
    """归集: money received into the project's account (财政拨款, 项目业主, 其他)."""
    ensure_finance(by)
    if amount <= 0:
        raise ValidationError(_("归集金额必须大于零。"))
    if source not in LedgerEntry.Source.values:
        raise ValidationError(_("请选择资金来源。"))
    if not voucher_number.strip():
        raise ValidationError(_("请填写凭证号。"))
    if received_on > timezone.localdate():
        raise ValidationError(_("到账日期不能晚于今天。"))
    fund = ledger.lock_fund(fund)
    _ensure_books_open(fund.project)
    gates.ensure_allowed("fund.deposit", project=fund.project, today=received_on)
    return ledger.append_entry(
        fund,
        recorded_by=by,
        kind=LedgerEntry.Kind.DEPOSIT,
        amount=amount,
        occurred_on=received_on,
        source=source,
        voucher_number=voucher_number.strip(),
        purpose=purpose.strip() or str(LedgerEntry.Source(source).label),
    )


def _same_request(existing: DisbursementRequest, candidate: DisbursementRequest) -> bool:
    fields = ("fund_id", "payee_kind", "household_id", "agreement_id", "subsidy_id", "amount")
    return all(getattr(existing, name) == getattr(candidate, name) for name in fields)


def request_disbursement(
    *,
    fund: Fund,
    by: User,
    idempotency_key: str,
    amount: Decimal,
    category: str,
    purpose: str,
    paid_on: date | None = None,
    agreement: Agreement | None = None,
    subsidy: HardshipSubsidy | None = None,
    today: date | None = None,
) -> DisbursementRequest:
    """划拨申请 by finance staff: to a household on an approved agreement or a payable hardship
    subsidy, or (neither given) to the district office carrying out the project.

    The idempotency key identifies the request: the same key again returns the request already
    made (nothing new), and the same key with another amount or payee is refused."""
    ensure_finance(by)
    today = today or timezone.localdate()
    key = (idempotency_key or "").strip()
    if not key:
        raise ValidationError(_("缺少申请编号（幂等键），请刷新页面后重新提交。"))
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if agreement is not None and subsidy is not None:
        raise ValidationError(_("一笔划拨只能对应一份协议或一项困难补助。"))
    household = (agreement or subsidy).household if (agreement or subsidy) else None
    candidate = DisbursementRequest(
        fund=fund,
        idempotency_key=key,
        payee_kind=PayeeKind.HOUSEHOLD if household else PayeeKind.DISTRICT,
        household=household,
        agreement=agreement,
        subsidy=subsidy,
        amount=amount,
        category=Category.HARDSHIP if subsidy else category,
        purpose=purpose.strip(),
        paid_on=paid_on or today,
        requested_by=by,
    )
    existing = DisbursementRequest.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _repeat(existing, candidate)

    if amount <= 0:
        raise ValidationError(_("划拨金额必须大于零。"))
    if candidate.category not in Category.values:
        raise ValidationError(_("请选择费用类别。"))
    if not candidate.purpose:
        raise ValidationError(_("请填写划拨用途。"))
    if candidate.paid_on > today:
        raise ValidationError(_("划拨日期不能晚于今天。"))
    if household is not None and household.project_id != fund.project_id:
        raise ValidationError(_("该户不属于本资金账户所在项目。"))
    if agreement is not None:
        if not agreement.is_payable:
            raise ValidationError(_("补偿协议尚未审核通过，不能申请划拨。"))
        if agreement.unpaid <= 0:
            raise ValidationError(
                _("协议%(number)s的补偿款已全部划拨（%(paid)s元），不能再申请划拨。")
                % {"number": agreement.number, "paid": f"{agreement.paid:,.2f}"}
            )
        if amount > agreement.unpaid:
            raise ValidationError(
                _("申请金额超过协议未付金额%(unpaid)s元。") % {"unpaid": f"{agreement.unpaid:,.2f}"}
            )
    if subsidy is not None:
        if subsidy.is_withdrawn:
            raise ValidationError(_("该项困难补助已撤回，不能申请划拨。"))
        if not subsidy.is_payable(today):
            raise ValidationError(_("困难补助公示期尚未届满，不能申请划拨。"))
        if subsidy.unpaid <= 0:
            raise ValidationError(
                _("该户的困难补助已全部划拨（%(paid)s元），不能再申请划拨。")
                % {"paid": f"{subsidy.paid:,.2f}"}
            )
        if amount > subsidy.unpaid:
            raise ValidationError(
                _("申请金额超过困难补助未付金额%(unpaid)s元。")
                % {"unpaid": f"{subsidy.unpaid:,.2f}"}
            )
    _ensure_books_open(fund.project)
    _ensure_disbursement_allowed(fund.project, household, today)
    _ensure_no_pending_twin(candidate)
    candidate.full_clean(exclude=["idempotency_key"])
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        # The same key committed by a concurrent submission in the meantime.
        existing = DisbursementRequest.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _repeat(existing, candidate)
    payment_notifications.payment_requested(candidate)
    return candidate


def _ensure_disbursement_allowed(
    project: Project, household: Household | None, today: date
) -> None:
    if household is None:
        gates.ensure_allowed("disbursement.district", project=project, today=today)
    else:
        gates.ensure_allowed(
            "disbursement.household", project=project, household=household, today=today
        )


def _ensure_no_pending_twin(candidate: DisbursementRequest) -> None:
    """A household's pending request for the same amount (on the same agreement or subsidy)
    blocks another until a leader decides it (the database holds the same rule)."""
    if candidate.household is None:
        return
    twin = (
        DisbursementRequest.objects.pending()
        .filter(
            household=candidate.household,
            agreement=candidate.agreement,
            subsidy=candidate.subsidy,
            amount=candidate.amount,
        )
        .first()
    )
    if twin is not None:
        raise ValidationError(
            _(
                "该户已有一笔%(amount)s元的划拨申请待审批（%(day)s提交），"
                "审批或驳回前不能再次申请相同金额。"
            )
            % {
                "amount": f"{twin.amount:,.2f}",
                "day": cn_date(timezone.localdate(twin.requested_at)),
            }
        )


def _repeat(existing: DisbursementRequest, candidate: DisbursementRequest) -> DisbursementRequest:
    if not _same_request(existing, candidate):
        raise ValidationError(
            _(
                "该申请编号已用于另一笔金额或收款方不同的划拨申请，已拒绝；如需新的划拨，请重新填写申请。"
            )
        )
    return existing


@transaction.atomic
def approve_disbursement(
    *, request: DisbursementRequest, approved_by: User, today: date | None = None
) -> LedgerEntry:
    """A leader who is not the requester approves: the disbursement is posted now, under the
    fund's row lock. Approving a posted request again returns its entry (it pays once); a
    request that would overdraw, or pay a household more than agreed, is refused and nothing
    changes."""
    ensure_leader(approved_by)
    today = today or timezone.localdate()
    # The request and its fund locked in one statement (request row first, then the fund's:
    # the order every approval takes them in); the fund with its project and district, which
    # the notice names. Values read are the rows' latest, as for any SELECT … FOR UPDATE.
    request = (
        DisbursementRequest.objects.select_for_update(of=("self", "fund"))
        .select_related("requested_by", "fund__project__district")
        .get(pk=request.pk)
    )
    if request.requested_by_id == approved_by.pk:
        raise PermissionDenied(_("申请人不能审批自己的划拨申请。"))
    if request.status == DisbursementRequest.Status.POSTED:
        return request.entry
    if request.status == DisbursementRequest.Status.REJECTED:
        raise ValidationError(_("该划拨申请已被驳回。"))

    fund = request.fund
    project = fund.project
    _ensure_books_open(project)
    _ensure_disbursement_allowed(project, request.household, today)
    payee_name = _payee_name(request, project)
    if request.agreement_id:
        agreement = Agreement.objects.select_for_update().get(pk=request.agreement_id)
        if not agreement.is_payable:
            raise ValidationError(_("补偿协议尚未审核通过，不能划拨。"))
        if agreement.paid + request.amount > agreement.agreed_total:
            raise ValidationError(
                _("划拨后将超过协议金额：协议%(total)s元，已划拨%(paid)s元，本笔%(amount)s元。")
                % {
                    "total": f"{agreement.agreed_total:,.2f}",
                    "paid": f"{agreement.paid:,.2f}",
                    "amount": f"{request.amount:,.2f}",
                }
            )
    if request.subsidy_id:
        subsidy = HardshipSubsidy.objects.select_for_update(of=("self",))
        subsidy = subsidy.select_related("notice").get(pk=request.subsidy_id)
        if not subsidy.is_payable(today):
            raise ValidationError(_("困难补助公示期尚未届满，不能划拨。"))
        if subsidy.paid + request.amount > subsidy.amount:
            raise ValidationError(_("划拨后将超过困难补助金额。"))
    if request.household_id:
        _ensure_within_entitlement(request.household_id, request.amount, today)

    entry = ledger.append_entry(
        fund,
        recorded_by=approved_by,
        kind=LedgerEntry.Kind.DISBURSEMENT,
        amount=-request.amount,
        occurred_on=request.paid_on,
        payee_kind=request.payee_kind,
        payee_name=payee_name,
        household_id=request.household_id,
        agreement_id=request.agreement_id,
        subsidy_id=request.subsidy_id,
        category=request.category,
        purpose=request.purpose,
        request=request,
    )
    if request.agreement_id:
        agreement.paid += request.amount
        agreement.save(update_fields=["paid"])
    if request.subsidy_id:
        subsidy.paid += request.amount
        subsidy.save(update_fields=["paid"])
    request.status = DisbursementRequest.Status.POSTED
    request.decided_by = approved_by
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    payment_notifications.payment_decided(request)
    return entry


def _payee_name(request: DisbursementRequest, project: Project) -> str:
    if request.payee_kind == PayeeKind.DISTRICT:
        return project.district.office_name or project.district.name
    if request.agreement_id:
        return request.agreement.party_name
    return request.subsidy.household.head_name


def household_entitlement(household_id: int, today: date) -> Decimal:
    """What a household may be paid in all: its approved agreements (with their supplements)
    and its hardship subsidy once payable. The agreements' amounts come from the computed
    breakdown, so this is the computed compensation plus the approved subsidy."""
    agreed = Agreement.objects.approved().filter(household_id=household_id)
    total = sum((a.agreed_total for a in agreed), ZERO)
    subsidy = HardshipSubsidy.objects.filter(household_id=household_id).first()
    if subsidy is not None and subsidy.is_payable(today):
        total += subsidy.amount
    elif subsidy is not None and subsidy.is_withdrawn:
        total += subsidy.paid  # what was paid before the withdrawal stays the household's
    return total


def household_paid(household_id: int) -> Decimal:
    paid = LedgerEntry.objects.filter(household_id=household_id).aggregate(total=Sum("amount"))
    # Quantized: SQLite (the laptop default) sums decimals as floating point.
    return -Decimal(paid["total"] or ZERO).quantize(CENT)


def _ensure_within_entitlement(household_id: int, amount: Decimal, today: date) -> None:
    entitled = household_entitlement(household_id, today)
    paid = household_paid(household_id)
    if paid + amount > entitled:
        raise ValidationError(
            _("划拨后该户累计%(total)s元，超过其应得补偿%(entitled)s元。")
            % {"total": f"{paid + amount:,.2f}", "entitled": f"{entitled:,.2f}"}
        )


@transaction.atomic
def reject_disbursement(*, request: DisbursementRequest, by: User, note: str) -> None:
    ensure_leader(by)
    request = DisbursementRequest.objects.select_for_update().get(pk=request.pk)
    if request.requested_by_id == by.pk:
        raise PermissionDenied(_("申请人不能审批自己的划拨申请。"))
    if request.status != DisbursementRequest.Status.PENDING:
        raise ValidationError(_("只能驳回待审批的申请。"))
    if not note.strip():
        raise ValidationError(_("驳回时请填写意见。"))
    request.status = DisbursementRequest.Status.REJECTED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    payment_notifications.payment_decided(request)


@transaction.atomic
def reverse_entry(
    *, entry: LedgerEntry, by: User, reason: str, on: date | None = None
) -> LedgerEntry:
    """冲正: undo an entry with one that points at it. A reversed deposit must not overdraw."""
    ensure_finance(by)
    if not reason.strip():
        raise ValidationError(_("冲正时请填写原因。"))
    fund = ledger.lock_fund(entry.fund_id)
    _ensure_books_open(fund.project)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise ValidationError(_("冲正账目不能再冲正；如有错误请重新记账。"))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("该笔账目已经冲正。"))
    agreement = subsidy = None
    if entry.agreement_id:
        agreement = Agreement.objects.select_for_update().get(pk=entry.agreement_id)
    if entry.subsidy_id:
        subsidy = HardshipSubsidy.objects.select_for_update().get(pk=entry.subsidy_id)
    reversal = ledger.append_entry(
        fund,
        recorded_by=by,
        kind=LedgerEntry.Kind.REVERSAL,
        amount=-entry.amount,
        occurred_on=on or timezone.localdate(),
        source=entry.source,
        voucher_number=entry.voucher_number,
        payee_kind=entry.payee_kind,
        payee_name=entry.payee_name,
        household_id=entry.household_id,
        agreement_id=entry.agreement_id,
        subsidy_id=entry.subsidy_id,
        category=entry.category,
        purpose=_("冲正第%(sequence)s笔：%(reason)s")
        % {"sequence": entry.sequence, "reason": reason.strip()},
        reverses=entry,
    )
    if agreement is not None:
        agreement.paid += entry.amount  # entry.amount is negative for a payment
        agreement.save(update_fields=["paid"])
    if subsidy is not None:
        subsidy.paid += entry.amount
        subsidy.save(update_fields=["paid"])
    return reversal


# ---------------------------------------------------------------------------
# The price catalogue and counted items


def ensure_can_edit(user: User, project: Project) -> None:
    project_services.ensure_can_edit_project(user, project)


@transaction.atomic
def save_price_item(
    *, project: Project, by: User, item: PriceItem | None = None, **fields: Any
) -> PriceItem:
    ensure_can_edit(by, project)
    item = item or PriceItem(project=project)
    if item.project_id != project.pk:
        raise ValidationError(_("价格目录项目不属于本项目。"))
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def set_item_count(
    *, household: Household, item: PriceItem, quantity: Decimal, by: User
) -> ItemCount | None:
    """Record how many were counted (0 removes the count)."""
    ensure_can_edit(by, household.project)
    if item.project_id != household.project_id:
        raise ValidationError(_("价格目录项目不属于该户所在项目。"))
    if quantity < 0:
        raise ValidationError(_("数量不能为负数。"))
    count = ItemCount.objects.filter(household=household, item=item).first()
    if not quantity:
        if count is not None:
            count.delete()
        return None
    count = count or ItemCount(household=household, item=item)
    count.quantity = quantity
    count.counted_by = by
    count.full_clean()
    count.save()
    return count


# ---------------------------------------------------------------------------
# Breakdowns


def _store_breakdown(
    *,
    household: Household,
    plan: CompensationPlan,
    valuation,
    inputs: calculation.Inputs,
    result: calculation.Result,
    by: User | None,
) -> CompensationBreakdown:
    CompensationBreakdown.objects.filter(household=household, is_current=True).update(
        is_current=False
    )
    breakdown = CompensationBreakdown.objects.create(
        household=household,
        plan=plan,
        valuation=valuation,
        method=inputs.method,
        swap_area=inputs.swap_area,
        swap_transition=inputs.swap_transition,
        signed_on=inputs.signed_on,
        compensation_total=result.compensation_total,
        subsidy_total=result.subsidy_total,
        total=result.total,
        owner_share=result.owner_share,
        tenant_share=result.tenant_share,
        notes="\n".join(result.notes),
        computed_by=by,
    )
    BreakdownLine.objects.bulk_create(
        [
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
            for position, line in enumerate(result.lines, start=1)
        ]
    )
    return breakdown


@transaction.atomic
def compute_breakdown(
    *,
    household: Household,
    by: User,
    method: str | None = None,
    swap_area: Decimal | None = None,
    swap_transition: bool | None = None,
    signed_on: date | None = None,
) -> CompensationBreakdown:
    """Compute the household's compensation (compensation.calculation) and keep it as the
    current breakdown. Without explicit terms, the terms of its agreement (if drafted) or of its
    record are used."""
    ensure_can_edit(by, household.project)
    household = Household.objects.select_for_update().get(pk=household.pk)
    agreement = household.agreements.filter(party=Agreement.Party.HOUSEHOLD).first()
    if method is None and agreement is not None:
        method = agreement.method
        swap_area = agreement.swap_area
        swap_transition = agreement.swap_transition
        signed_on = signed_on or agreement.signed_on
    plan = calculation.approved_plan(household.project)
    valuation = calculation.current_valuation(household)
    inputs = calculation.inputs_for(
        household,
        valuation=valuation,
        method=method,
        swap_area=swap_area,
        swap_transition=True if swap_transition is None else swap_transition,
        signed_on=signed_on,
    )
    result = calculation.compute(plan, inputs)
    return _store_breakdown(
        household=household,
        plan=plan,
        valuation=valuation,
        inputs=inputs,
        result=result,
        by=by,
    )


# ---------------------------------------------------------------------------
# Agreements


def _agreement_number(household: Household, party: str) -> str:
    suffix = "" if party == Agreement.Party.HOUSEHOLD else "-DW"
    return f"{household.project.code}-{household.code}{suffix}"


def share_of(breakdown: CompensationBreakdown, party: str) -> Decimal:
    return breakdown.owner_share if party == Agreement.Party.OWNER_UNIT else breakdown.tenant_share


@transaction.atomic
def draft_agreements(
    *,
    household: Household,
    by: User,
    method: str,
    swap_area: Decimal | None = None,
    swap_transition: bool = True,
) -> list[Agreement]:
    """Draft (or redraft) the household's agreement from a fresh breakdown: one agreement, or
    for public housing one with the tenant and one with the owning unit. A signed agreement is
    locked: a change to it needs a supplement."""
    ensure_can_edit(by, household.project)
    household = Household.objects.select_for_update().get(pk=household.pk)
    gates.ensure_allowed("agreement.draft", project=household.project, household=household)
    if method not in (Household.Method.MONETARY, Household.Method.SWAP):
        raise ValidationError(_("请选择补偿方式。"))
    if method == Household.Method.SWAP and not swap_area:
        choice = calculation.swap_choice_for(household)
        if choice is None:
            raise ValidationError(_("产权调换须填写调换房屋面积，或先在选房日选定安置房。"))
        swap_area = choice.area
    if method == Household.Method.MONETARY:
        swap_area, swap_transition = None, True
    existing = {a.party: a for a in household.agreements.select_for_update()}
    if any(a.is_locked for a in existing.values()):
        raise ValidationError(_("该户已签订补偿协议，协议已锁定；如需变更请签订补充协议。"))
    if household.is_signed and household.method and household.method != method:
        raise ValidationError(
            _("该户已登记签约，补偿方式为%(method)s，协议须一致。")
            % {"method": household.get_method_display()}
        )
    breakdown = compute_breakdown(
        household=household,
        by=by,
        method=method,
        swap_area=swap_area,
        swap_transition=swap_transition,
        signed_on=household.signed_on or timezone.localdate(),
    )
    parties = [Agreement.Party.HOUSEHOLD]
    if household.is_public_housing:
        if not household.owner_unit.strip():
            raise ValidationError(_("公有房屋须先在被征收户信息中填写产权单位。"))
        parties.append(Agreement.Party.OWNER_UNIT)
    agreements = []
    for party in parties:
        agreement = existing.get(party) or Agreement(
            household=household, party=party, number=_agreement_number(household, party)
        )
        agreement.party_name = (
            household.owner_unit.strip()
            if party == Agreement.Party.OWNER_UNIT
            else household.head_name
        )
        agreement.breakdown = breakdown
        agreement.method = method
        agreement.swap_area = swap_area
        agreement.swap_transition = swap_transition
        agreement.amount = share_of(breakdown, party)
        agreement.drafted_by = by
        agreement.drafted_at = timezone.now()
        agreement.full_clean()
        agreement.save()
        agreements.append(agreement)
    return agreements


@transaction.atomic
def sign_agreement(*, agreement: Agreement, by: User, signed_on: date) -> Agreement:
    """The party signed: the breakdown is computed again with the signing date (the
    early-signing incentive depends on it), the amount fixed, and the agreement locked. Signing
    the household's own agreement records the household as signed."""
    household = agreement.household
    ensure_can_edit(by, household.project)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.is_locked:
        raise ValidationError(_("该协议已签订。"))
    if signed_on > timezone.localdate():
        raise ValidationError(_("签订日期不能晚于今天。"))
    if agreement.party == Agreement.Party.HOUSEHOLD and not household.is_signed:
        gates.ensure_allowed(
            "household.sign", project=household.project, household=household, today=signed_on
        )
    breakdown = compute_breakdown(
        household=household,
        by=by,
        method=agreement.method,
        swap_area=agreement.swap_area,
        swap_transition=agreement.swap_transition,
        signed_on=household.signed_on or signed_on,
    )
    for sibling in household.agreements.exclude(pk=agreement.pk):
        if sibling.is_locked and sibling.amount != share_of(breakdown, sibling.party):
            raise ValidationError(
                _("重新测算后%(party)s的协议金额有变化，须先签订补充协议。")
                % {"party": sibling.party_name}
            )
    agreement.breakdown = breakdown
    agreement.amount = share_of(breakdown, agreement.party)
    agreement.status = Agreement.Status.SIGNED
    agreement.signed_on = signed_on
    agreement.save(update_fields=["breakdown", "amount", "status", "signed_on"])
    if agreement.party == Agreement.Party.HOUSEHOLD and not household.is_signed:
        project_services.sign_household(
            household=household, by=by, signed_on=signed_on, method=agreement.method
        )
    return agreement


@transaction.atomic
def approve_agreement(*, agreement: Agreement, by: User, note: str = "") -> Agreement:
    """The office reviews a signed agreement before anything is paid on it (maker-checker: not
    the person who drafted it)."""
    ensure_reviewer(by)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != Agreement.Status.SIGNED:
        raise ValidationError(_("只能审核已签订、尚未审核的协议。"))
    gates.ensure_allowed(
        "agreement.approve", project=agreement.household.project, household=agreement.household
    )
    if agreement.drafted_by_id == by.pk:
        raise PermissionDenied(_("拟稿人不能审核自己起草的协议。"))
    agreement.status = Agreement.Status.APPROVED
    agreement.reviewed_by = by
    agreement.reviewed_at = timezone.now()
    agreement.review_note = note.strip()
    agreement.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return agreement


@transaction.atomic
def add_supplement(
    *,
    agreement: Agreement,
    by: User,
    number: str,
    signed_on: date,
    reason: str,
    adjustment: Decimal,
) -> Supplement:
    """补充协议: the recorded change to a signed agreement's amount, typed by the legal
    section or a leader (the swap difference after selection is computed, not typed:
    `supplements.settle_swap_difference`)."""
    ensure_reviewer(by)
    return record_supplement(
        agreement=agreement,
        by=by,
        number=number,
        signed_on=signed_on,
        reason=reason,
        adjustment=adjustment,
    )


@transaction.atomic
def record_supplement(
    *,
    agreement: Agreement,
    by: User,
    number: str,
    signed_on: date,
    reason: str,
    adjustment: Decimal,
    in_breakdown: bool = False,
) -> Supplement:
    """Record a supplement once the caller's permission is checked: the gate, a reason, a
    non-zero adjustment (元), not before the agreement, never below what was paid.
    `in_breakdown`: the household's current breakdown was computed again and the supplement
    brings the agreement to its share, so that breakdown already counts the agreement's whole
    adjustment so far (what is due must not add it twice). Raises ValidationError (Chinese)
    naming the rule."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not agreement.is_locked:
        raise ValidationError(_("协议尚未签订，可直接修改草稿，无需补充协议。"))
    gates.ensure_allowed(
        "agreement.supplement", project=agreement.household.project, household=agreement.household
    )
    if not reason.strip():
        raise ValidationError(_("请填写变更事由。"))
    if not adjustment:
        raise ValidationError(_("调整金额不能为零。"))
    if signed_on < agreement.signed_on:
        raise ValidationError(_("补充协议不能早于原协议签订日期。"))
    # Nothing paid yet: the total may go below zero (the household pays the office).
    if agreement.paid and agreement.agreed_total + adjustment < agreement.paid:
        raise ValidationError(
            _("调整后协议金额低于已划拨金额%(paid)s元。") % {"paid": f"{agreement.paid:,.2f}"}
        )
    supplement = Supplement(
        agreement=agreement,
        number=number.strip(),
        signed_on=signed_on,
        reason=reason.strip(),
        adjustment=adjustment,
        in_breakdown=in_breakdown,
        recorded_by=by,
    )
    supplement.full_clean()
    supplement.save()
    agreement.adjustment += adjustment
    if in_breakdown:
        # The agreement now says what the breakdown says: all of its adjustment so far is in
        # that breakdown, supplements typed before this one included.
        agreement.adjustment_in_breakdown = agreement.adjustment
    agreement.save(update_fields=["adjustment", "adjustment_in_breakdown"])
    return supplement


@transaction.atomic
def save_document_template(*, project: Project, by: User, kind: str, body: str) -> DocumentTemplate:
    project_services.ensure_office_staff(by)
    validate_template(body, kind)
    template = DocumentTemplate.objects.filter(project=project, kind=kind).first()
    template = template or DocumentTemplate(project=project, kind=kind)
    template.body = body
    template.updated_by = by
    template.updated_at = timezone.now()
    template.full_clean()
    template.save()
    return template


# ---------------------------------------------------------------------------
# Hardship subsidies


@transaction.atomic
def register_subsidies(*, project: Project, by: User) -> list[HardshipSubsidy]:
    """A subsidy for each vulnerable household of the project that has none, at the amount the
    approved plan sets for its hardship type."""
    ensure_can_edit(by, project)
    gates.ensure_allowed("subsidy.register", project=project)
    plan = calculation.approved_plan(project)
    households = project.households.exclude(hardship="").filter(hardship_subsidy__isnull=True)
    created = []
    for household in households:
        amount = calculation.round_amount(plan.subsidy_for(household.hardship), plan.rounding)
        if amount <= 0:
            continue
        created.append(
            HardshipSubsidy.objects.create(
                household=household,
                plan=plan,
                hardship=household.hardship,
                amount=amount,
                created_by=by,
            )
        )
    if not created:
        raise ValidationError(_("没有需要登记困难补助的被征收户。"))
    return created


@transaction.atomic
def withdraw_subsidy(*, subsidy: HardshipSubsidy, by: User, reason: str) -> HardshipSubsidy:
    """撤回 a hardship subsidy: what is unpaid is no longer owed and can no longer be
    requested; what was paid stays paid. Who, when and the reason are kept on the subsidy and
    in its history. Closing the fund (final_account.approve) then counts it as done.

    Gated by projects.gates (`subsidy.withdraw`: 签约 or 补偿决定 stage). Raises ValidationError
    (in Chinese) for an empty reason, a subsidy already withdrawn or paid in full, or one with
    a disbursement request waiting for approval; PermissionDenied for a user who may not edit
    the project."""
    subsidy = (
        HardshipSubsidy.objects.select_for_update().select_related("household").get(pk=subsidy.pk)
    )
    project = subsidy.household.project
    ensure_can_edit(by, project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("撤回困难补助须填写理由。"))
    if subsidy.is_withdrawn:
        raise ValidationError(_("该项困难补助已经撤回。"))
    if subsidy.paid >= subsidy.amount:
        raise ValidationError(_("该项困难补助已全额划拨，不能撤回。"))
    if DisbursementRequest.objects.pending().filter(subsidy=subsidy).exists():
        raise ValidationError(_("该项困难补助有待审批的划拨申请，须先审批或驳回。"))
    gates.ensure_allowed(
        "subsidy.withdraw", project=project, household=subsidy.household, obj=subsidy
    )
    subsidy.withdrawn_at = timezone.now()
    subsidy.withdrawn_by = by
    subsidy.withdrawal_reason = reason
    subsidy._change_reason = _("撤回困难补助：%(reason)s") % {"reason": reason}
    subsidy.full_clean()
    subsidy.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return subsidy


@transaction.atomic
def post_subsidy_notice(*, project: Project, by: User, period_days: int = 7) -> Notice:
    """Draft the 困难补助公示 for the subsidies not yet posted and link them to it; the notice is
    published from the project's notices (it runs its period before any subsidy is paid)."""
    subsidies = list(
        HardshipSubsidy.objects.filter(household__project=project, notice__isnull=True)
        .select_related("household")
        .order_by("household__code")
    )
    if not subsidies:
        raise ValidationError(_("没有待公示的困难补助。"))
    if period_days < 1:
        raise ValidationError(_("公示期至少1日。"))
    rows = [
        _("%(code)s %(name)s %(kind)s %(amount)s元")
        % {
            "code": s.household.code,
            "name": mask_name(s.household.head_name),
            "kind": s.get_hardship_display(),
            "amount": f"{s.amount:,.2f}",
        }
        for s in subsidies
    ]
    total = sum((s.amount for s in subsidies), ZERO)
    body = "\n".join(
        [
            _(
                "根据经批准的补偿方案，拟对下列困难被征收户给予困难补助，现予公示，公示期%(days)s日。"
            )
            % {"days": period_days},
            *rows,
            _("合计%(count)s户，%(total)s元。公示期内如有异议，请向征收部门反映。")
            % {"count": len(subsidies), "total": f"{total:,.2f}"},
        ]
    )
    notice = project_services.draft_notice(
        project=project,
        by=by,
        kind=Notice.Kind.HARDSHIP,
        title=_("%(project)s困难补助公示") % {"project": project.name},
        body=body,
        period_days=period_days,
    )
    HardshipSubsidy.objects.filter(pk__in=[s.pk for s in subsidies]).update(notice=notice)
    return notice


# ---------------------------------------------------------------------------
# Cost budget (概算) and final accounts (决算)


@transaction.atomic
def save_cost_budget(
    *, project: Project, by: User, amounts: dict[str, Decimal], note: str = ""
) -> CostBudget:
    ensure_finance(by)
    budget, _created = CostBudget.objects.select_for_update().get_or_create(
        project=project, defaults={"prepared_by": by}
    )
    if budget.is_approved:
        raise ValidationError(_("概算已审定，不能再修改。"))
    budget.note = note
    budget.prepared_by = by
    budget.save(update_fields=["note", "prepared_by"])
    for category in Category.values:
        amount = Decimal(amounts.get(category) or 0)
        if amount < 0:
            raise ValidationError(_("概算金额不能为负数。"))
        CostBudgetLine.objects.update_or_create(
            budget=budget, category=category, defaults={"amount": amount}
        )
    _submit_accounts(budget, "cost_budget", by)
    return budget


def _submit_accounts(
    item: CostBudget | FinalAccount, chain: str, by: User | None, *, quiet: bool = False
) -> None:
    """Send a saved (or corrected) budget or final account to a leader (core.signoffs), the
    whole chain again: the leader approves the figures as they now stand."""
    signoffs.submit(
        item=item,
        chain=chain,
        by=by,
        title=str(item),
        url=item.get_absolute_url(),
        district=item.project.district,
        again=True,
        quiet=quiet,
    )


def _leader_decides(item: CostBudget | FinalAccount, chain: str, *, returned: str) -> None:
    """Before a leader approves or returns: an item prepared before sign-offs were kept is put
    in its chain now (by its preparer); a returned one waits for its preparer's resubmission
    (ValidationError `returned`)."""
    signoff = signoffs.signoff_for(item)
    if signoff is None:
        _submit_accounts(item, chain, item.prepared_by, quiet=True)
    elif signoff.state == SignOff.State.RETURNED:
        raise ValidationError(returned)


_BUDGET_RETURNED = gettext_lazy("概算已退回计划财务科修改，待重新提交后方可审定。")
_ACCOUNT_RETURNED = gettext_lazy("决算已退回计划财务科修改，待重新提交后方可审定。")


@transaction.atomic
def return_cost_budget(*, project: Project, by: User, comment: str) -> CostBudget:
    """A leader returns the draft cost budget to 计划财务科 with a comment (required); they see
    it on the page and their to-do list, correct and save it again (which resubmits it).

    Raises PermissionDenied for anyone but a leader, ValidationError without a budget, once
    approved, when already returned or without a comment."""
    permissions.ensure(by, "compensation.approve_accounts")
    budget = CostBudget.objects.select_for_update().filter(project=project).first()
    if budget is None:
        raise ValidationError(_("尚未编制概算。"))
    if budget.is_approved:
        raise ValidationError(_("概算已经审定，不能退回。"))
    _leader_decides(budget, "cost_budget", returned=str(_BUDGET_RETURNED))
    signoffs.send_back(item=budget, by=by, comment=comment)
    return budget


@transaction.atomic
def approve_cost_budget(*, project: Project, by: User) -> CostBudget:
    permissions.ensure(by, "compensation.approve_accounts")
    budget = CostBudget.objects.select_for_update().filter(project=project).first()
    if budget is None:
        raise ValidationError(_("尚未编制概算。"))
    if budget.is_approved:
        raise ValidationError(_("概算已经审定。"))
    if budget.prepared_by_id == by.pk:
        raise PermissionDenied(_("编制人不能审定自己编制的概算。"))
    gates.ensure_allowed("cost_budget.approve", project=project)
    _leader_decides(budget, "cost_budget", returned=str(_BUDGET_RETURNED))
    signoffs.approve(item=budget, by=by)
    budget.status = CostBudget.Status.APPROVED
    budget.approved_by = by
    budget.approved_at = timezone.now()
    budget.save(update_fields=["status", "approved_by", "approved_at"])
    return budget


def actuals_by_category(project: Project) -> dict[str, Decimal]:
    """What the ledger paid out by category (disbursements net of their reversals)."""
    rows = (
        LedgerEntry.objects.filter(fund__project=project)
        .disbursements_net()
        .values("category")
        .annotate(total=Sum("amount"))
    )
    actual = {category: ZERO for category in Category.values}
    for row in rows:
        actual[row["category"]] = -Decimal(row["total"] or ZERO).quantize(CENT)
    return actual


def budget_by_category(project: Project) -> dict[str, Decimal]:
    lines = CostBudgetLine.objects.filter(budget__project=project)
    budget = {category: ZERO for category in Category.values}
    for line in lines:
        budget[line.category] = line.amount
    return budget


@transaction.atomic
def save_final_account(*, project: Project, by: User, note: str) -> FinalAccount:
    ensure_finance(by)
    gates.ensure_allowed("final_account.prepare", project=project)
    account, _created = FinalAccount.objects.select_for_update().get_or_create(
        project=project, defaults={"prepared_by": by}
    )
    if account.is_approved:
        raise ValidationError(_("决算已审定并冻结，不能再修改。"))
    account.note = note
    account.prepared_by = by
    account.save(update_fields=["note", "prepared_by"])
    _submit_accounts(account, "final_account", by)
    return account


@transaction.atomic
def return_final_account(*, project: Project, by: User, comment: str) -> FinalAccount:
    """A leader returns the draft final accounts to 计划财务科 with a comment (required); saving
    them again resubmits them. The fund stays open.

    Raises PermissionDenied for anyone but a leader, ValidationError without final accounts,
    once approved, when already returned or without a comment."""
    permissions.ensure(by, "compensation.approve_accounts")
    account = FinalAccount.objects.select_for_update().filter(project=project).first()
    if account is None:
        raise ValidationError(_("尚未编制决算。"))
    if account.is_approved:
        raise ValidationError(_("决算已经审定，不能退回。"))
    _leader_decides(account, "final_account", returned=str(_ACCOUNT_RETURNED))
    signoffs.send_back(item=account, by=by, comment=comment)
    return account


@transaction.atomic
def approve_final_account(*, project: Project, by: User) -> FinalAccount:
    """A leader approves the final accounts: the figures are frozen as they stand, and the
    project's fund takes no more entries (closing the fund). projects.gates' table says when:
    every household signed or under a compensation decision, every subsidy paid, no request
    pending and a zero balance."""
    permissions.ensure(by, "compensation.approve_accounts")
    # The fund's row lock: no entry may slip in between the checks and the freeze.
    Fund.objects.select_for_update().filter(project=project).first()
    account = FinalAccount.objects.select_for_update().filter(project=project).first()
    if account is None:
        raise ValidationError(_("尚未编制决算。"))
    if account.is_approved:
        raise ValidationError(_("决算已经审定。"))
    gates.ensure_allowed("final_account.approve", project=project)
    _leader_decides(account, "final_account", returned=str(_ACCOUNT_RETURNED))
    signoffs.approve(item=account, by=by)
    budget = budget_by_category(project)
    actual = actuals_by_category(project)
    FinalAccountLine.objects.bulk_create(
        [
            FinalAccountLine(
                account=account,
                category=category,
                budgeted=budget[category],
                actual=actual[category],
            )
            for category in Category.values
        ]
    )
    account.status = FinalAccount.Status.APPROVED
    account.approved_by = by
    account.approved_at = timezone.now()
    account.save(update_fields=["status", "approved_by", "approved_at"])
    return account
