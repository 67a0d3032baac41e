"""Writes (and the reads other apps rely on) for appraisal firms, their selection, valuations and
credit.

Settings read here (each with the default used when config/settings.py does not set it):

- APPRAISER_MIN_GRADE = "B": the lowest credit grade (CreditGrade.code) a firm may hold, in its
  latest published credit list, to be a candidate. A firm not yet in any published list is not
  held back by this rule.
- APPRAISER_MIN_CANDIDATES = 3: how many eligible firms a selection publishes at least.
- APPRAISER_NEGOTIATION_MIN_SHARE = "0.5": a negotiated choice needs more than this share of the
  project's households to agree.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisers import clocks, draws
from appraisers.models import (
    AppraisalFirm,
    Commission,
    CreditEvent,
    CreditEventKind,
    CreditGrade,
    CreditList,
    CreditListEntry,
    CreditPolicy,
    ExpertReview,
    FirmSelection,
    Recheck,
    SelectionCandidate,
    Valuation,
    Valuer,
    Vote,
)
from core import permissions, signoffs
from core.formatting import cn_date
from core.models import SignOff, User
from core.roles import Section
from projects import facts, gates
from projects import services as project_services
from projects.models import Household, Notice, Project
from projects.services import ensure_can_edit_project, ensure_office_staff
from public import cache as public_cache

RESULT_NOTICE_TITLE = gettext_lazy("评估机构选定结果公告")


def _setting(name: str, default):
    return getattr(settings, name, default)


def min_candidates() -> int:
    return int(_setting("APPRAISER_MIN_CANDIDATES", 3))


def negotiation_min_share() -> Decimal:
    return Decimal(str(_setting("APPRAISER_NEGOTIATION_MIN_SHARE", "0.5")))


# ---------------------------------------------------------------------------
# Firms and valuers (the office's registry)


@transaction.atomic
def register_firm(*, by: User, **fields: Any) -> AppraisalFirm:
    ensure_office_staff(by)
    firm = AppraisalFirm(**fields)
    firm.credit_code = firm.credit_code.strip().upper()
    firm.full_clean()
    firm.save()
    return firm


@transaction.atomic
def update_firm(*, firm: AppraisalFirm, by: User, **fields: Any) -> AppraisalFirm:
    ensure_office_staff(by)
    for name, value in fields.items():
        setattr(firm, name, value)
    firm.credit_code = firm.credit_code.strip().upper()
    firm.full_clean()
    firm.save()
    return firm


@transaction.atomic
def add_valuer(*, firm: AppraisalFirm, by: User, name: str, registration_number: str) -> Valuer:
    ensure_office_staff(by)
    valuer = Valuer(firm=firm, name=name, registration_number=registration_number.strip())
    valuer.full_clean()
    valuer.save()
    return valuer


@transaction.atomic
def set_valuer_active(*, valuer: Valuer, by: User, is_active: bool) -> Valuer:
    ensure_office_staff(by)
    valuer.is_active = is_active
    valuer.save(update_fields=["is_active"])
    return valuer


# ---------------------------------------------------------------------------
# Credit grades and eligibility


def grades() -> list[CreditGrade]:
    """The grades, best first."""
    return list(CreditGrade.objects.order_by("-min_score"))


def grade_for(score: int, grade_table: list[CreditGrade]) -> CreditGrade | None:
    """The best grade whose threshold the score reaches; below every threshold, the lowest."""
    for grade in grade_table:  # best first
        if score >= grade.min_score:
            return grade
    return grade_table[-1] if grade_table else None


def min_grade(grade_table: list[CreditGrade] | None = None) -> CreditGrade | None:
    code = _setting("APPRAISER_MIN_GRADE", "B")
    grade_table = grades() if grade_table is None else grade_table
    return next((grade for grade in grade_table if grade.code == code), None)


def latest_published_entries(firm_ids=None) -> dict[int, CreditListEntry]:
    """Each firm's row in the most recent published credit list that has it (one query)."""
    entries = CreditListEntry.objects.filter(
        credit_list__status=CreditList.Status.PUBLISHED
    ).select_related("credit_list")
    if firm_ids is not None:
        entries = entries.filter(firm_id__in=list(firm_ids))
    latest: dict[int, CreditListEntry] = {}
    for entry in entries.order_by("-credit_list__period_end", "-credit_list__published_on"):
        latest.setdefault(entry.firm_id, entry)
    return latest


@dataclass
class Eligibility:
    """Whether a firm may be a candidate, and why not."""

    firm: AppraisalFirm
    reasons: list[str] = field(default_factory=list)
    entry: CreditListEntry | None = None  # its latest published credit row

    @property
    def is_eligible(self) -> bool:
        return not self.reasons


def assess_firms(firms, *, today: date) -> list[Eligibility]:
    """The eligibility of each firm on `today` (a fixed number of queries for any number):

    - its status is 正常 (not suspended, not withdrawn);
    - its qualification certificate has not expired;
    - at least two of its registered valuers are active (a report needs two signatures);
    - its grade in its latest published credit list is not below APPRAISER_MIN_GRADE."""
    firms = list(firms)
    counts = dict(
        Valuer.objects.filter(firm__in=firms, is_active=True)
        .values_list("firm")
        .annotate(n=Count("pk"))
        .values_list("firm", "n")
    )
    grade_table = grades()
    bar = min_grade(grade_table)
    rank = {grade.code: grade.min_score for grade in grade_table}
    entries = latest_published_entries(firm.pk for firm in firms)
    results = []
    for firm in firms:
        reasons = []
        if firm.status != AppraisalFirm.Status.ACTIVE:
            reasons.append(_("机构状态为“%(status)s”。") % {"status": firm.get_status_display()})
        if firm.qualification_expired(today):
            reasons.append(
                _("资质证书已于%(day)s过期。") % {"day": cn_date(firm.qualification_expires_on)}
            )
        if counts.get(firm.pk, 0) < 2:
            reasons.append(_("在职注册房地产估价师不足2名。"))
        entry = entries.get(firm.pk)
        if (
            entry is not None
            and bar is not None
            and rank.get(entry.grade_code, bar.min_score) < bar.min_score
        ):
            reasons.append(
                _("信用等级为%(grade)s（%(list)s），低于%(bar)s。")
                % {"grade": entry.grade_name, "list": entry.credit_list.title, "bar": bar.name}
            )
        results.append(Eligibility(firm=firm, reasons=reasons, entry=entry))
    return results


def eligible_firms(*, today: date) -> list[AppraisalFirm]:
    return [
        result.firm
        for result in assess_firms(AppraisalFirm.objects.active(), today=today)
        if result.is_eligible
    ]


def _ensure_eligible(firms, today: date) -> None:
    problems = [
        _("%(firm)s：%(reasons)s") % {"firm": result.firm.name, "reasons": "".join(result.reasons)}
        for result in assess_firms(firms, today=today)
        if not result.is_eligible
    ]
    if problems:
        raise ValidationError(problems)


# ---------------------------------------------------------------------------
# Selection


def _locked_selection(selection: FirmSelection) -> FirmSelection:
    selection = FirmSelection.objects.select_for_update().get(pk=selection.pk)
    if selection.is_decided:
        raise ValidationError(_("评估机构已经选定，不能再更改。"))
    gates.ensure_allowed("firm.select", project=selection.project)
    return selection


@transaction.atomic
def open_selection(
    *, project: Project, by: User, firms, opened_on: date | None = None
) -> FirmSelection:
    """Publish the candidate firms for the project (or publish them again while nothing has been
    voted or decided). The published order is ascending credit code."""
    ensure_office_staff(by)
    opened_on = opened_on or timezone.localdate()
    firms = list({firm.pk: firm for firm in firms}.values())
    if len(firms) < min_candidates():
        raise ValidationError(
            _("至少需要公布%(count)d家符合条件的候选机构。") % {"count": min_candidates()}
        )
    _ensure_eligible(firms, opened_on)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    gates.ensure_allowed("firm.select", project=project, today=opened_on)
    selection = FirmSelection.objects.filter(project=project).first()
    if selection is not None:
        selection = _locked_selection(selection)
        if selection.votes.exists() or selection.vote_tallied_on:
            raise ValidationError(_("已开始投票，不能再更改候选机构。"))
        selection.candidates.all().delete()
        selection.opened_on = opened_on
        selection.opened_by = by
        selection.save(update_fields=["opened_on", "opened_by"])
    else:
        selection = FirmSelection.objects.create(project=project, opened_on=opened_on, opened_by=by)
    by_code = {firm.credit_code: firm for firm in firms}
    SelectionCandidate.objects.bulk_create(
        SelectionCandidate(selection=selection, firm=by_code[code], position=position)
        for position, code in enumerate(draws.published_order(by_code), start=1)
    )
    return selection


def candidates_of(selection: FirmSelection) -> list[SelectionCandidate]:
    """The candidates in published order."""
    return list(selection.candidates.select_related("firm").order_by("position"))


def _ensure_candidate(selection: FirmSelection, firm: AppraisalFirm) -> None:
    if not selection.candidates.filter(firm=firm).exists():
        raise ValidationError(_("%(firm)s不是本项目公布的候选机构。") % {"firm": firm})


@transaction.atomic
def record_negotiation(
    *,
    selection: FirmSelection,
    by: User,
    firm: AppraisalFirm,
    agreed_households: int,
    decided_on: date | None = None,
    note: str = "",
) -> FirmSelection:
    """协商选定: the households agreed on a firm; more than the set share of them must agree."""
    ensure_office_staff(by)
    selection = _locked_selection(selection)
    decided_on = decided_on or timezone.localdate()
    _ensure_candidate(selection, firm)
    total = selection.project.households.count()
    if agreed_households > total:
        raise ValidationError(
            _("同意户数不能超过项目被征收户数（%(total)d户）。") % {"total": total}
        )
    share = negotiation_min_share()
    if total == 0 or Decimal(agreed_households) <= share * total:
        raise ValidationError(
            _("协商选定需超过%(share)s%%的被征收户同意（共%(total)d户，同意%(agreed)d户）。")
            % {"share": _percent(share), "total": total, "agreed": agreed_households}
        )
    selection.agreed_households = agreed_households
    selection.note = note
    return _decide(selection, FirmSelection.Method.NEGOTIATION, firm, by, decided_on, total)


@transaction.atomic
def record_vote(
    *, selection: FirmSelection, by: User, household: Household, firm: AppraisalFirm
) -> Vote:
    """Record one household's ballot. Each household votes once."""
    ensure_office_staff(by)
    selection = _locked_selection(selection)
    if selection.vote_tallied_on:
        raise ValidationError(_("投票已经结束计票，不能再录入。"))
    if household.project_id != selection.project_id:
        raise ValidationError(_("该户不属于本项目。"))
    _ensure_candidate(selection, firm)
    if Vote.objects.filter(selection=selection, household=household).exists():
        raise ValidationError(_("该户已经投票，每户只能投一票。"))
    try:
        with transaction.atomic():
            return Vote.objects.create(
                selection=selection, household=household, firm=firm, recorded_by=by
            )
    except IntegrityError as error:  # a concurrent entry of the same ballot
        raise ValidationError(_("该户已经投票，每户只能投一票。")) from error


@dataclass(frozen=True)
class TallyRow:
    position: int
    firm: AppraisalFirm
    votes: int


@dataclass(frozen=True)
class Tally:
    """The vote count: a firm wins with more than half of the project's households (not of the
    votes cast); without one, nobody wins and the draw is offered."""

    household_count: int
    votes_cast: int
    rows: tuple[TallyRow, ...]  # in published order

    @property
    def needed(self) -> int:
        """The fewest votes that are more than half of the households."""
        return self.household_count // 2 + 1

    @property
    def winner(self) -> AppraisalFirm | None:
        for row in self.rows:
            if self.household_count and row.votes * 2 > self.household_count:
                return row.firm
        return None

    @property
    def is_tie(self) -> bool:
        top = max((row.votes for row in self.rows), default=0)
        return top > 0 and sum(1 for row in self.rows if row.votes == top) > 1


def tally(selection: FirmSelection) -> Tally:
    counts = dict(
        selection.votes.values_list("firm").annotate(n=Count("pk")).values_list("firm", "n")
    )
    rows = tuple(
        TallyRow(candidate.position, candidate.firm, counts.get(candidate.firm_id, 0))
        for candidate in candidates_of(selection)
    )
    household_count = (
        selection.household_count
        if selection.vote_tallied_on and selection.household_count is not None
        else selection.project.households.count()
    )
    return Tally(household_count, sum(counts.values()), rows)


@transaction.atomic
def close_vote(*, selection: FirmSelection, by: User, today: date | None = None) -> Tally:
    """Count the votes. With a firm holding more than half of the households it is selected;
    otherwise the selection stays open and the page offers the random draw."""
    ensure_office_staff(by)
    selection = _locked_selection(selection)
    today = today or timezone.localdate()
    if selection.vote_tallied_on:
        raise ValidationError(_("已经计票。"))
    result = tally(selection)
    if result.votes_cast == 0:
        raise ValidationError(_("尚未录入任何投票。"))
    selection.vote_tallied_on = today
    selection.household_count = result.household_count
    winner = result.winner
    if winner is None:
        selection.vote_failed = True
        selection.save(update_fields=["vote_tallied_on", "household_count", "vote_failed"])
        return result
    _decide(selection, FirmSelection.Method.VOTE, winner, by, today, result.household_count)
    return result


@transaction.atomic
def run_draw(
    *,
    selection: FirmSelection,
    by: User,
    witnesses: str,
    notary: str = "",
    now: datetime | None = None,
) -> FirmSelection:
    """随机确定: generate the seed, record it with the witnesses and the time, and select the
    firm the published algorithm gives (appraisers.draws)."""
    ensure_office_staff(by)
    selection = _locked_selection(selection)
    if not witnesses.strip():
        raise ValidationError(_("请填写见证人。"))
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = candidates_of(selection)
    if len(candidates) < 2:
        raise ValidationError(_("随机确定至少需要2家候选机构。"))
    _ensure_eligible([candidate.firm for candidate in candidates], today)
    codes = [candidate.firm.credit_code for candidate in candidates]
    seed = draws.new_seed()
    winner = candidates[draws.winner_index(seed, codes)].firm
    selection.seed = seed
    selection.drawn_at = now
    selection.draw_candidates = codes
    selection.witnesses = witnesses.strip()
    selection.notary = notary.strip()
    return _decide(
        selection,
        FirmSelection.Method.DRAW,
        winner,
        by,
        today,
        selection.project.households.count(),
    )


def _decide(
    selection: FirmSelection,
    method: str,
    winner: AppraisalFirm,
    by: User,
    day: date,
    household_count: int,
) -> FirmSelection:
    if method != FirmSelection.Method.DRAW:
        _ensure_eligible([winner], day)
    selection.method = method
    selection.winner = winner
    selection.decided_on = day
    selection.decided_by = by
    selection.household_count = household_count
    selection.full_clean(exclude=["project", "notice"])
    selection.save()
    notice = project_services.draft_notice(
        project=selection.project,
        by=by,
        kind=Notice.Kind.OTHER,
        title=_("%(project)s%(title)s")
        % {"project": selection.project.name, "title": RESULT_NOTICE_TITLE},
        body=result_notice_body(selection),
        period_days=0,
    )
    # The result notice goes through a leader's sign-off like every notice (core.signoffs
    # "notice"); 业务科 then publishes it on the notice page.
    selection.notice = notice
    selection.save(update_fields=["notice"])
    return selection


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}"


def result_notice_body(selection: FirmSelection) -> str:
    """The public text of the result: how the firm was chosen and, for a draw, all that is needed
    to re-run it."""
    firm = selection.winner
    project = selection.project
    candidates = candidates_of(selection)
    lines = [
        _("%(project)s（%(district)s）房屋征收评估机构选定结果公告如下：")
        % {"project": project.name, "district": project.district.name},
        "",
        _("公布的候选机构（按统一社会信用代码由小到大排列）："),
    ]
    lines += [
        f"{candidate.position}. {candidate.firm.name}（{candidate.firm.credit_code}）"
        for candidate in candidates
    ]
    lines.append("")
    values = {
        "firm": firm.name,
        "code": firm.credit_code,
        "day": cn_date(selection.decided_on),
        "total": selection.household_count,
    }
    if selection.method == FirmSelection.Method.NEGOTIATION:
        values["agreed"] = selection.agreed_households
        lines.append(
            _(
                "经被征收人协商，%(day)s选定%(firm)s（统一社会信用代码%(code)s）为本项目房地产"
                "价格评估机构。本项目被征收户共%(total)s户，同意%(agreed)s户。"
            )
            % values
        )
    elif selection.method == FirmSelection.Method.VOTE:
        result = tally(selection)
        lines.append(
            _(
                "经组织被征收人按照少数服从多数的原则投票，%(day)s计票：本项目被征收户共%(total)s户，"
                "收回有效选票%(cast)s票，各候选机构得票如下："
            )
            % {**values, "cast": result.votes_cast}
        )
        lines += [
            _("%(firm)s：%(votes)s票") % {"firm": row.firm.name, "votes": row.votes}
            for row in result.rows
        ]
        lines.append(
            _(
                "%(firm)s（统一社会信用代码%(code)s）得票超过被征收户半数，选定为本项目房地产价格评估机构。"
            )
            % values
        )
    else:
        record = draw_record(selection)
        if selection.vote_failed:
            how = _(
                "被征收人协商未能选定评估机构，投票也没有机构获得超过半数被征收户的票数，经随机方式确定。"
            )
        else:
            how = _("被征收人协商未能选定评估机构，经随机方式确定。")
        lines.append(
            how
            + _("摇号时间：%(time)s；见证人：%(witnesses)s%(notary)s。")
            % {
                "time": timezone.localtime(selection.drawn_at).strftime("%Y-%m-%d %H:%M:%S"),
                "witnesses": selection.witnesses,
                "notary": _("；公证机构：%(notary)s") % {"notary": selection.notary}
                if selection.notary
                else "",
            }
        )
        lines.append(_("随机种子：%(seed)s") % {"seed": selection.seed})
        lines.append(
            _("确定结果：第%(position)s家，%(firm)s（统一社会信用代码%(code)s）。")
            % {**values, "position": record.winner_position}
        )
        lines.append("")
        lines.append(_("确定方法（任何人可按此复算）："))
        lines += [f"{n}. {step}" for n, step in enumerate(draws.algorithm_steps(), start=1)]
        lines.append(
            _("Python 复算示例（seed 为随机种子，codes 为按公布顺序排列的统一社会信用代码）：")
        )
        lines.append(draws.ALGORITHM_PYTHON)
    return "\n".join(lines)


def draw_record(selection: FirmSelection) -> draws.DrawRecord:
    """What a public verification page needs: the seed, the candidate order, the winner."""
    if selection.method != FirmSelection.Method.DRAW:
        raise ValueError("this selection was not decided by a draw")
    names = {c.firm.credit_code: c.firm.name for c in candidates_of(selection)}
    codes = list(selection.draw_candidates)
    position = codes.index(selection.winner.credit_code) + 1
    return draws.DrawRecord(
        selection_id=selection.pk,
        project_name=selection.project.name,
        seed=selection.seed,
        drawn_at=selection.drawn_at,
        witnesses=selection.witnesses,
        notary=selection.notary,
        candidates=tuple((n, code, names.get(code, "")) for n, code in enumerate(codes, start=1)),
        winner_position=position,
        winner_code=selection.winner.credit_code,
        winner_name=selection.winner.name,
    )


@transaction.atomic
def record_commission(
    *,
    selection: FirmSelection,
    by: User,
    contract_number: str,
    signed_on: date,
    fee: Decimal,
) -> Commission:
    """委托合同 with the selected firm."""
    ensure_office_staff(by)
    selection = FirmSelection.objects.select_for_update().get(pk=selection.pk)
    if not selection.is_decided:
        raise ValidationError(_("评估机构尚未选定，不能签订委托合同。"))
    gates.ensure_allowed("firm.commission", project=selection.project, today=signed_on)
    if Commission.objects.filter(selection=selection).exists():
        raise ValidationError(_("委托合同已经录入。"))
    if signed_on < selection.decided_on:
        raise ValidationError(_("委托合同不能早于评估机构选定日期。"))
    commission = Commission(
        selection=selection,
        firm=selection.winner,
        contract_number=contract_number.strip(),
        signed_on=signed_on,
        fee=fee,
        recorded_by=by,
    )
    commission.full_clean()
    commission.save()
    return commission


# ---------------------------------------------------------------------------
# Valuations


def current_valuation(household: Household) -> Valuation | None:
    """The household's valuation in force (after any re-check or expert review), or None.

    The compensation app reads the appraised value from here."""
    return Valuation.objects.current().filter(household=household).first()


def valuations_missing(project: Project) -> str | None:
    """None when every household of the project has a valuation, else what is missing."""
    # The fact appraisers.stage_requirements registers: read with the project page's others.
    missing = facts.value(project, "households_unvalued")
    if missing:
        return _("尚有%(count)s户没有分户评估报告。") % {"count": missing}
    return None


def _commission_of(project: Project) -> Commission:
    commission = (
        Commission.objects.filter(selection__project=project).select_related("firm").first()
    )
    if commission is None:
        raise ValidationError(_("本项目尚未委托评估机构，不能录入评估报告。"))
    return commission


def _check_valuers(valuers, firm: AppraisalFirm) -> list[Valuer]:
    valuers = list({valuer.pk: valuer for valuer in valuers}.values())
    if len(valuers) < 2:
        raise ValidationError(_("评估报告须由至少2名注册房地产估价师签字。"))
    strangers = [v.name for v in valuers if v.firm_id != firm.pk or not v.is_active]
    if strangers:
        raise ValidationError(
            _("签字估价师须为%(firm)s在职的注册房地产估价师：%(names)s。")
            % {"firm": firm.name, "names": "、".join(strangers)}
        )
    return valuers


def _create_valuation(
    *,
    household: Household,
    commission: Commission,
    by: User,
    valuers,
    source: str = Valuation.Source.ORIGINAL,
    replaces: Valuation | None = None,
    **fields: Any,
) -> Valuation:
    valuers = _check_valuers(valuers, commission.firm)
    valuation = Valuation(
        household=household,
        commission=commission,
        firm=commission.firm,
        source=source,
        replaces=replaces,
        recorded_by=by,
        **fields,
    )
    valuation.full_clean(exclude=["household", "commission", "firm", "replaces"])
    valuation.save()
    valuation.valuers.set(valuers)
    return valuation


@transaction.atomic
def record_valuation(
    *,
    household: Household,
    by: User,
    report_number: str,
    appraised_value: Decimal,
    unit_price: Decimal,
    valued_on: date,
    reported_on: date,
    valuers,
    delivered_on: date | None = None,
) -> Valuation:
    """The commissioned firm's report for one household, signed by at least two of its
    registered valuers."""
    ensure_can_edit_project(by, household.project)
    household = Household.objects.select_for_update().get(pk=household.pk)
    gates.ensure_allowed(
        "valuation.record", project=household.project, household=household, today=reported_on
    )
    commission = _commission_of(household.project)
    if Valuation.objects.filter(household=household, is_current=True).exists():
        raise ValidationError(_("该户已有评估报告；评估结果的改变须经复核或专家鉴定。"))
    return _create_valuation(
        household=household,
        commission=commission,
        by=by,
        valuers=valuers,
        report_number=report_number.strip(),
        appraised_value=appraised_value,
        unit_price=unit_price,
        valued_on=valued_on,
        reported_on=reported_on,
        delivered_on=delivered_on,
    )


@transaction.atomic
def record_delivery(*, valuation: Valuation, by: User, delivered_on: date) -> Valuation:
    """The household received the report: its re-check window starts the next day."""
    ensure_can_edit_project(by, valuation.household.project)
    if valuation.delivered_on is not None:
        raise ValidationError(_("送达日期已经录入。"))
    if delivered_on < valuation.reported_on:
        raise ValidationError(_("送达日期不能早于报告出具日期。"))
    valuation.delivered_on = delivered_on
    valuation.save(update_fields=["delivered_on"])
    return valuation


def _ensure_not_future(day: date, today: date | None, label: str) -> None:
    if day > (today or timezone.localdate()):
        raise ValidationError(_("%(label)s不能晚于今天。") % {"label": label})


def _ensure_recheck_allowed(household: Household, day: date) -> None:
    gates.ensure_allowed(
        "valuation.recheck", project=household.project, household=household, today=day
    )


@transaction.atomic
def request_recheck(
    *,
    valuation: Valuation,
    by: User,
    requested_on: date,
    reason: str,
    today: date | None = None,
) -> Recheck:
    """复核: the household asks within 10 days of receiving the report."""
    ensure_can_edit_project(by, valuation.household.project)
    _ensure_recheck_allowed(valuation.household, requested_on)
    valuation = Valuation.objects.select_for_update().get(pk=valuation.pk)
    if valuation.source != Valuation.Source.ORIGINAL or not valuation.is_current:
        raise ValidationError(_("只能对现行有效的初始评估报告申请复核。"))
    if Recheck.objects.filter(valuation=valuation).exists():
        raise ValidationError(_("该评估报告已经申请过复核。"))
    deadline = clocks.recheck_request_deadline(valuation)
    if deadline is None:
        raise ValidationError(_("评估报告尚未送达，请先录入送达日期。"))
    _ensure_not_future(requested_on, today, _("申请日期"))
    if requested_on < valuation.delivered_on:
        raise ValidationError(_("申请日期不能早于评估报告送达日期。"))
    if requested_on > deadline.due:
        raise ValidationError(
            _("申请复核的期限已于%(day)s届满（收到评估报告之日起10日）。")
            % {"day": cn_date(deadline.due)}
        )
    if not reason.strip():
        raise ValidationError(_("请填写异议理由。"))
    return Recheck.objects.create(
        valuation=valuation, requested_on=requested_on, reason=reason, recorded_by=by
    )


def _revise(
    *, current: Valuation, source: str, by: User, revision: dict[str, Any], changed_on: date
) -> Valuation:
    """Add the new report that a re-check or review produced and make it the household's
    current valuation; the firm's credit record gets a VALUATION_CHANGED event."""
    current.is_current = False
    current.save(update_fields=["is_current"])
    revised = _create_valuation(
        household=current.household,
        commission=current.commission,
        by=by,
        source=source,
        replaces=current,
        valued_on=current.valued_on,
        **revision,
    )
    kind = CreditEventKind.objects.filter(code=CreditEventKind.VALUATION_CHANGED).first()
    if kind is None:
        kind = CreditEventKind.objects.create(
            code=CreditEventKind.VALUATION_CHANGED, name=_("评估结果经复核或鉴定改变"), points=-5
        )
    step = _("复核") if source == Valuation.Source.RECHECK else _("专家鉴定")
    CreditEvent.objects.create(
        firm=current.firm,
        kind=kind,
        points=kind.points,
        occurred_on=changed_on,
        project=current.household.project,
        description=_(
            "%(household)s经%(step)s改变评估结果：原报告%(old)s评估价值%(old_value)s元，"
            "重新出具报告%(new)s评估价值%(new_value)s元。"
        )
        % {
            "household": current.household,
            "step": step,
            "old": current.report_number,
            "old_value": current.appraised_value,
            "new": revised.report_number,
            "new_value": revised.appraised_value,
        },
        valuation=revised,
        recorded_by=by,
    )
    return revised


def _revision_fields(revision: dict[str, Any] | None, changed: bool) -> dict[str, Any] | None:
    if not changed:
        return None
    if not revision:
        raise ValidationError(_("改变评估结果的，须录入重新出具的评估报告。"))
    return revision


@transaction.atomic
def answer_recheck(
    *,
    recheck: Recheck,
    by: User,
    answered_on: date,
    answer: str,
    changed: bool,
    revision: dict[str, Any] | None = None,
    result_delivered_on: date | None = None,
    today: date | None = None,
) -> Recheck:
    """The firm's answer. A changed result comes with a new report (`revision`: report_number,
    appraised_value, unit_price, reported_on, valuers)."""
    ensure_can_edit_project(by, recheck.valuation.household.project)
    _ensure_recheck_allowed(recheck.valuation.household, answered_on)
    recheck = Recheck.objects.select_for_update().select_related("valuation").get(pk=recheck.pk)
    if recheck.is_answered:
        raise ValidationError(_("该复核已经答复。"))
    _ensure_not_future(answered_on, today, _("答复日期"))
    if answered_on < recheck.requested_on:
        raise ValidationError(_("答复日期不能早于申请日期。"))
    revision = _revision_fields(revision, changed)
    recheck.answered_on = answered_on
    recheck.answer = answer
    recheck.result_delivered_on = result_delivered_on or answered_on
    recheck.outcome = Recheck.Outcome.CHANGED if changed else Recheck.Outcome.UNCHANGED
    if revision is not None:
        revision.setdefault("delivered_on", recheck.result_delivered_on)
        recheck.revised = _revise(
            current=recheck.valuation,
            source=Valuation.Source.RECHECK,
            by=by,
            revision=revision,
            changed_on=answered_on,
        )
    recheck.save()
    return recheck


@transaction.atomic
def request_expert_review(
    *,
    recheck: Recheck,
    by: User,
    requested_on: date,
    reason: str,
    committee: str = "",
    today: date | None = None,
) -> ExpertReview:
    """专家鉴定: within 10 days of receiving the re-check result."""
    ensure_can_edit_project(by, recheck.valuation.household.project)
    _ensure_recheck_allowed(recheck.valuation.household, requested_on)
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    if not recheck.is_answered:
        raise ValidationError(_("复核尚未答复，不能申请专家鉴定。"))
    if ExpertReview.objects.filter(recheck=recheck).exists():
        raise ValidationError(_("已经申请过专家鉴定。"))
    _ensure_not_future(requested_on, today, _("申请日期"))
    deadline = clocks.review_request_deadline(recheck)
    if requested_on < recheck.result_delivered_on:
        raise ValidationError(_("申请日期不能早于复核结果送达日期。"))
    if requested_on > deadline.due:
        raise ValidationError(
            _("申请专家鉴定的期限已于%(day)s届满（收到复核结果之日起10日）。")
            % {"day": cn_date(deadline.due)}
        )
    if not reason.strip():
        raise ValidationError(_("请填写申请理由。"))
    return ExpertReview.objects.create(
        recheck=recheck,
        requested_on=requested_on,
        reason=reason,
        committee=committee,
        recorded_by=by,
    )


@transaction.atomic
def decide_expert_review(
    *,
    review: ExpertReview,
    by: User,
    decided_on: date,
    opinion: str,
    corrected: bool,
    revision: dict[str, Any] | None = None,
    today: date | None = None,
) -> ExpertReview:
    """The committee's opinion; a report with technical problems is corrected by the firm with a
    new report (`revision`), which becomes the household's valuation."""
    ensure_can_edit_project(by, review.recheck.valuation.household.project)
    _ensure_recheck_allowed(review.recheck.valuation.household, decided_on)
    review = ExpertReview.objects.select_for_update().get(pk=review.pk)
    if review.is_decided:
        raise ValidationError(_("该专家鉴定已经作出结论。"))
    _ensure_not_future(decided_on, today, _("鉴定日期"))
    if decided_on < review.requested_on:
        raise ValidationError(_("鉴定日期不能早于申请日期。"))
    revision = _revision_fields(revision, corrected)
    review.decided_on = decided_on
    review.opinion = opinion
    review.outcome = ExpertReview.Outcome.CORRECTED if corrected else ExpertReview.Outcome.UPHELD
    if revision is not None:
        household = review.recheck.valuation.household
        current = Valuation.objects.select_for_update().get(household=household, is_current=True)
        revision.setdefault("delivered_on", decided_on)
        review.revised = _revise(
            current=current,
            source=Valuation.Source.REVIEW,
            by=by,
            revision=revision,
            changed_on=decided_on,
        )
    review.save()
    return review


# ---------------------------------------------------------------------------
# Credit


def ensure_credit_staff(user: User) -> None:
    if not user.is_office_staff:
        raise PermissionDenied(_("只有市征收办工作人员可以管理评估机构信用。"))


@transaction.atomic
def record_credit_event(
    *,
    firm: AppraisalFirm,
    kind: CreditEventKind,
    by: User,
    occurred_on: date,
    description: str,
    project: Project | None = None,
    evidence=None,
    today: date | None = None,
) -> CreditEvent:
    ensure_credit_staff(by)
    _ensure_not_future(occurred_on, today, _("发生日期"))
    if not kind.is_active:
        raise ValidationError(_("该事件类型已停用。"))
    event = CreditEvent(
        firm=firm,
        kind=kind,
        points=kind.points,
        occurred_on=occurred_on,
        project=project,
        description=description,
        recorded_by=by,
    )
    if evidence:
        event.evidence = evidence
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def save_event_kind(
    *, by: User, kind: CreditEventKind | None = None, **fields: Any
) -> CreditEventKind:
    """Add or change a kind of credit event; events already recorded keep their points."""
    ensure_credit_staff(by)
    kind = kind or CreditEventKind()
    for name, value in fields.items():
        setattr(kind, name, value)
    kind.full_clean()
    kind.save()
    return kind


@transaction.atomic
def save_credit_rules(*, by: User, base_score: int) -> CreditPolicy:
    ensure_credit_staff(by)
    policy = CreditPolicy.current()
    policy.base_score = base_score
    policy.save(update_fields=["base_score"])
    return policy


@dataclass(frozen=True)
class FirmScore:
    firm: AppraisalFirm
    score: int
    additions: int
    deductions: int
    event_count: int
    grade: CreditGrade | None


def score_firms(*, period_start: date, period_end: date, firms=None) -> list[FirmScore]:
    """Each firm's score for the period: the base score plus the points of the events that
    occurred in it; the grade follows from the thresholds. Best first, then by name."""
    base = CreditPolicy.current().base_score
    grade_table = grades()
    if firms is None:
        firms = AppraisalFirm.objects.exclude(status=AppraisalFirm.Status.WITHDRAWN)
    firms = list(firms)
    sums = {
        row["firm"]: row
        for row in CreditEvent.objects.filter(
            firm__in=firms, occurred_on__gte=period_start, occurred_on__lte=period_end
        )
        .values("firm")
        .annotate(
            additions=Sum("points", filter=Q(points__gt=0), default=0),
            deductions=Sum("points", filter=Q(points__lt=0), default=0),
            count=Count("pk"),
        )
    }
    scores = []
    for firm in firms:
        row = sums.get(firm.pk, {"additions": 0, "deductions": 0, "count": 0})
        score = base + row["additions"] + row["deductions"]
        scores.append(
            FirmScore(
                firm=firm,
                score=score,
                additions=row["additions"],
                deductions=row["deductions"],
                event_count=row["count"],
                grade=grade_for(score, grade_table),
            )
        )
    return sorted(scores, key=lambda s: (-s.score, s.firm.name))


def default_list_title(period_start: date, period_end: date) -> str:
    year = period_start.year
    if (period_start, period_end) == (date(year, 1, 1), date(year, 12, 31)):
        return _("%(year)s年度评估机构信用名录") % {"year": year}
    quarter = (period_start.month - 1) // 3 + 1
    if (
        period_start.year == period_end.year
        and period_start == _quarter_start(period_start.year, quarter)
        and period_end == _quarter_end(period_start.year, quarter)
    ):
        return _("%(year)s年第%(quarter)s季度评估机构信用名录") % {
            "year": period_start.year,
            "quarter": quarter,
        }
    return _("%(start)s至%(end)s评估机构信用名录") % {
        "start": cn_date(period_start),
        "end": cn_date(period_end),
    }


def _quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def _quarter_end(year: int, quarter: int) -> date:
    next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return date.fromordinal(next_start.toordinal() - 1)


def previous_quarter(today: date) -> tuple[date, date]:
    """The last whole quarter before `today`."""
    quarter = (today.month - 1) // 3 + 1
    year = today.year
    if quarter == 1:
        year, quarter = year - 1, 4
    else:
        quarter -= 1
    return _quarter_start(year, quarter), _quarter_end(year, quarter)


@transaction.atomic
def prepare_credit_list(
    *, period_start: date, period_end: date, title: str = "", by: User | None = None
) -> tuple[CreditList, bool]:
    """The draft list for the period (created once; asking again returns the same list)."""
    if by is not None:
        ensure_credit_staff(by)
    if period_end < period_start:
        raise ValidationError(_("评价期止不能早于评价期起。"))
    credit_list, created = CreditList.objects.get_or_create(
        period_start=period_start,
        period_end=period_end,
        defaults={"title": title.strip() or default_list_title(period_start, period_end)},
    )
    return credit_list, created


def prepare_quarterly_credit_list(*, today: date | None = None) -> tuple[CreditList, bool]:
    """What the Celery beat job does each quarter: the draft list of the quarter just ended."""
    start, end = previous_quarter(today or timezone.localdate())
    return prepare_credit_list(period_start=start, period_end=end)


@transaction.atomic
def publish_credit_list(*, credit_list: CreditList, by: User, on: date | None = None) -> CreditList:
    """Publish the list: every firm's score and grade are copied into entries, which later
    events, new kinds or new thresholds never change. A leader publishes it (市征收办's
    sign-off rule for the credit list, core.permissions)."""
    permissions.ensure(by, "appraisers.publish_credit_list")
    credit_list = CreditList.objects.select_for_update().get(pk=credit_list.pk)
    if credit_list.is_published:
        raise ValidationError(_("该信用名录已经公布。"))
    on = on or timezone.localdate()
    gates.ensure_allowed("credit_list.publish", project=None, obj=credit_list, today=on)
    _leader_decides(credit_list)
    signoffs.approve(item=credit_list, by=by)
    scores = score_firms(period_start=credit_list.period_start, period_end=credit_list.period_end)
    CreditListEntry.objects.bulk_create(
        CreditListEntry(
            credit_list=credit_list,
            firm=row.firm,
            rank=rank,
            firm_name=row.firm.name,
            credit_code=row.firm.credit_code,
            qualification=row.firm.get_grade_display(),
            score=row.score,
            additions=row.additions,
            deductions=row.deductions,
            event_count=row.event_count,
            grade_code=row.grade.code,
            grade_name=row.grade.name,
        )
        for rank, row in enumerate(scores, start=1)
    )
    credit_list.status = CreditList.Status.PUBLISHED
    credit_list.published_on = on
    credit_list.published_by = by
    credit_list.base_score = CreditPolicy.current().base_score
    credit_list.save(update_fields=["status", "published_on", "published_by", "base_score"])
    public_cache.bump()
    return credit_list


# Who prepares a credit list and answers a leader's return: 业务科 (also for the lists the
# quarterly job prepares).
CREDIT_LIST_SECTION = Section.OPERATIONS


def _submit_credit_list(
    credit_list: CreditList, by: User | None, *, quiet: bool = False, comment: str = ""
) -> None:
    signoffs.submit(
        item=credit_list,
        chain="credit_list",
        by=by,
        title=_("信用名录：%(title)s") % {"title": credit_list.title},
        url=credit_list.get_absolute_url(),
        district=None,
        responsible=CREDIT_LIST_SECTION,
        again=True,
        quiet=quiet,
        comment=comment,
    )


def _leader_decides(credit_list: CreditList) -> None:
    """A draft list enters its sign-off chain when a leader first decides on it (the quarterly
    job prepares lists without anyone submitting them); a returned list waits for 业务科."""
    signoff = signoffs.signoff_for(credit_list)
    if signoff is None:
        _submit_credit_list(credit_list, None, quiet=True)
    elif signoff.state == SignOff.State.RETURNED:
        raise ValidationError(_("该信用名录已退回，待重新提交后方可公布。"))


@transaction.atomic
def return_credit_list(*, credit_list: CreditList, by: User, comment: str) -> CreditList:
    """A leader returns a draft credit list with a comment (required) to whoever prepared it
    (业务科 for the quarterly job's lists), who corrects the credit events and resubmits it.

    Raises PermissionDenied for anyone but a leader, ValidationError for a published or
    already returned list or without a comment."""
    permissions.ensure(by, "appraisers.publish_credit_list")
    credit_list = CreditList.objects.select_for_update().get(pk=credit_list.pk)
    if credit_list.is_published:
        raise ValidationError(_("该信用名录已经公布。"))
    _leader_decides(credit_list)
    signoffs.send_back(item=credit_list, by=by, comment=comment)
    return credit_list


@transaction.atomic
def resubmit_credit_list(*, credit_list: CreditList, by: User, comment: str = "") -> CreditList:
    """Office staff send a returned list back to the leaders for approval.

    Raises PermissionDenied for a district user, ValidationError unless the list was returned."""
    ensure_credit_staff(by)
    signoff = signoffs.signoff_for(credit_list)
    if signoff is None or signoff.state != SignOff.State.RETURNED:
        raise ValidationError(_("该信用名录未被退回，无需重新提交。"))
    _submit_credit_list(credit_list, by, comment=comment)
    return credit_list


@dataclass(frozen=True)
class PublishedLists:
    current: CreditList | None
    past: list[CreditList]


def published_credit_lists() -> PublishedLists:
    """For the public page: the current published list (latest period) and the earlier ones.

    Read a list's rows with `credit_list.entries.all()` (already in rank order)."""
    lists = list(CreditList.objects.published().order_by("-period_end", "-published_on", "-pk"))
    return PublishedLists(current=lists[0] if lists else None, past=lists[1:])
