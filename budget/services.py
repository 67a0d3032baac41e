"""Writes on the budget year, its lines, expenditures, indicators and narratives, and the
report job.

Every office staff member reads the budget, writes the narratives and builds the report;
the figures (staffing, budget lines, final-account totals, expenditures, indicators,
expense controls) and publication belong to the finance section (计划财务科) and leaders.
"""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from budget import narratives
from budget.figures import BY_KEY, SCORE_KEYS
from budget.models import (
    AnnualReport,
    BudgetLine,
    BudgetYear,
    ExpenseControl,
    FindingNote,
    Indicator,
    Narrative,
    ProjectExpenditure,
    StatedTotal,
    YearClosing,
    report_upload_to,
)
from core import jobs, permissions
from core.models import Office, User
from projects.services import ensure_office_staff
from public import cache as public_cache

logger = logging.getLogger(__name__)

# Carried into a new year from the one before: the office's standing facts and rules.
CARRIED_FIELDS = [
    "budget_level",
    "authorized_posts",
    "staff_in_post",
    "retired",
    "sections",
    "subordinate_units",
    "duties",
    "weight_execution",
    "weight_output",
    "weight_benefit",
    "weight_satisfaction",
    "grade_excellent",
    "grade_good",
    "grade_pass",
]


def can_edit_figures(user: User) -> bool:
    return permissions.allowed(user, "budget.edit_figures")


def ensure_budget_editor(user: User) -> None:
    ensure_office_staff(user)
    if not can_edit_figures(user):
        raise PermissionDenied(_("只有计划财务科和领导可以修改预算和绩效数据。"))


def ensure_open(budget_year: BudgetYear) -> None:
    """A closed year's figures are frozen: reopen it first (a leader's recorded action)."""
    closing = YearClosing.objects.latest_for(budget_year)
    if closing is not None and closing.is_close:
        raise ValidationError(
            _("%(year)s年度已关账，数据不能再修改；如确需修改，请领导先重新开账。")
            % {"year": budget_year.year}
        )


def ensure_year_editor(user: User, budget_year: BudgetYear) -> None:
    ensure_budget_editor(user)
    ensure_open(budget_year)


def _save(instance) -> None:
    instance.full_clean()
    instance.save()


# ---------------------------------------------------------------------------
# The year and its figures


@transaction.atomic
def create_year(*, by: User, year: int) -> BudgetYear:
    """A new year, carrying the office's facts and rules from the latest year before it."""
    ensure_budget_editor(by)
    if BudgetYear.objects.filter(year=year).exists():
        raise ValidationError(_("%(year)s年度已经建立。") % {"year": year})
    budget_year = BudgetYear(year=year)
    previous = BudgetYear.objects.filter(year__lt=year).order_by("-year").first()
    if previous:
        for name in CARRIED_FIELDS:
            setattr(budget_year, name, getattr(previous, name))
    _save(budget_year)
    return budget_year


@transaction.atomic
def update_year(*, budget_year: BudgetYear, by: User, **fields: Any) -> BudgetYear:
    ensure_year_editor(by, budget_year)
    for name, value in fields.items():
        setattr(budget_year, name, value)
    _save(budget_year)
    return budget_year


@transaction.atomic
def save_budget_line(
    *,
    budget_year: BudgetYear,
    by: User,
    fund: str,
    kind: str,
    opening: Decimal,
    income: Decimal,
    expenditure: Decimal,
    closing: Decimal,
) -> BudgetLine:
    """Record (or correct) one fund and kind of the year; the balances must add up."""
    ensure_year_editor(by, budget_year)
    if opening + income - expenditure != closing:
        raise ValidationError(
            _(
                "年初结转和结余（%(opening)s）+ 本年收入（%(income)s）− 本年支出（%(expenditure)s）"
                "= %(expected)s元，与年末结转和结余（%(closing)s元）不符。"
            )
            % {
                "opening": opening,
                "income": income,
                "expenditure": expenditure,
                "expected": opening + income - expenditure,
                "closing": closing,
            }
        )
    line = BudgetLine.objects.filter(budget_year=budget_year, fund=fund, kind=kind).first()
    line = line or BudgetLine(budget_year=budget_year, fund=fund, kind=kind)
    line.opening, line.income, line.expenditure, line.closing = (
        opening,
        income,
        expenditure,
        closing,
    )
    _save(line)
    return line


@transaction.atomic
def delete_budget_line(*, line: BudgetLine, by: User) -> None:
    ensure_year_editor(by, line.budget_year)
    line.delete()


@transaction.atomic
def save_stated_total(
    *, budget_year: BudgetYear, by: User, fund: str, income: Decimal, expenditure: Decimal
) -> StatedTotal:
    ensure_year_editor(by, budget_year)
    total = StatedTotal.objects.filter(budget_year=budget_year, fund=fund).first()
    total = total or StatedTotal(budget_year=budget_year, fund=fund)
    total.income, total.expenditure = income, expenditure
    _save(total)
    return total


@transaction.atomic
def delete_stated_total(*, total: StatedTotal, by: User) -> None:
    ensure_year_editor(by, total.budget_year)
    total.delete()


@transaction.atomic
def save_expenditure(
    *,
    budget_year: BudgetYear,
    by: User,
    expenditure: ProjectExpenditure | None = None,
    **fields: Any,
) -> ProjectExpenditure:
    ensure_year_editor(by, budget_year)
    if expenditure is None:
        office = Office.objects.order_by("pk").first()
        expenditure = ProjectExpenditure(budget_year=budget_year)
        if office:
            expenditure.department = office.parent_body
            expenditure.implementer = office.name
    for name, value in fields.items():
        setattr(expenditure, name, value)
    _save(expenditure)
    return expenditure


@transaction.atomic
def delete_expenditure(*, expenditure: ProjectExpenditure, by: User) -> None:
    ensure_year_editor(by, expenditure.budget_year)
    expenditure.delete()


def _check_indicator(indicator: Indicator) -> None:
    errors = {}
    if indicator.sublevel not in Indicator.SUBLEVELS[indicator.level]:
        errors["sublevel"] = _("“%(sublevel)s”不属于一级指标“%(level)s”。") % {
            "sublevel": indicator.get_sublevel_display(),
            "level": indicator.get_level_display(),
        }
    is_execution = indicator.method == Indicator.Method.EXECUTION
    if is_execution != (indicator.level == Indicator.Level.EXECUTION):
        errors["method"] = _("按预算执行率评分的指标须放在一级指标“预算执行”下，反之亦然。")
    if indicator.figure:
        spec = BY_KEY.get(indicator.figure)
        if spec is None or not spec.is_numeric or indicator.figure in SCORE_KEYS:
            errors["figure"] = _("不能用“%(figure)s”作为指标的取数来源。") % {
                "figure": spec.name if spec else indicator.figure
            }
    if indicator.method == Indicator.Method.MANUAL:
        if indicator.manual_score is None:
            errors["manual_score"] = _("人工评分须填写得分。")
        if not indicator.score_reason.strip():
            errors["score_reason"] = _("人工评分须说明评分理由。")
    elif indicator.manual_score is not None:
        errors["manual_score"] = _("只有人工评分的指标才填写得分。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_indicator(
    *,
    budget_year: BudgetYear,
    by: User,
    indicator: Indicator | None = None,
    expenditure: ProjectExpenditure | None = None,
    **fields: Any,
) -> Indicator:
    ensure_year_editor(by, budget_year)
    if indicator is None:
        indicator = Indicator(budget_year=budget_year, expenditure=expenditure)
    for name, value in fields.items():
        setattr(indicator, name, value)
    if indicator.figure:
        indicator.actual = None  # a bound indicator takes its actual from the data
    _check_indicator(indicator)
    _save(indicator)
    return indicator


@transaction.atomic
def delete_indicator(*, indicator: Indicator, by: User) -> None:
    ensure_year_editor(by, indicator.budget_year)
    indicator.delete()


@transaction.atomic
def save_expense_controls(
    *, budget_year: BudgetYear, by: User, values: dict[str, dict[str, Decimal]]
) -> None:
    """`values`: item → {previous_actual, budget, actual}; every item of the form at once."""
    ensure_year_editor(by, budget_year)
    existing = {control.item: control for control in budget_year.controls.all()}
    for item, amounts in values.items():
        control = existing.get(item) or ExpenseControl(budget_year=budget_year, item=item)
        for name, value in amounts.items():
            setattr(control, name, value or Decimal("0.00"))
        _save(control)


# ---------------------------------------------------------------------------
# Narratives


@transaction.atomic
def save_narrative(*, budget_year: BudgetYear, by: User, kind: str, body: str) -> Narrative:
    """Save a section's text; a placeholder naming no known figure is refused."""
    ensure_office_staff(by)
    unknown = narratives.unknown_names(body)
    if unknown:
        raise ValidationError(
            _("以下数据名称不存在：%(names)s。请从右侧列表中选择，或删除这些花括号。")
            % {"names": "、".join(f"{{{name}}}" for name in unknown)},
            code="unknown_figure",
        )
    narrative = Narrative.objects.filter(budget_year=budget_year, kind=kind).first()
    narrative = narrative or Narrative(budget_year=budget_year, kind=kind)
    narrative.body = body
    narrative.updated_by = by
    narrative.updated_at = timezone.now()
    _save(narrative)
    return narrative


# ---------------------------------------------------------------------------
# Closing a year (关账) and reopening it


def _ensure_leader(user: User) -> None:
    ensure_office_staff(user)
    if not user.is_leader:
        raise PermissionDenied(_("只有领导可以关账或重新开账。"))


@transaction.atomic
def close_year(*, budget_year: BudgetYear, by: User) -> YearClosing:
    """A leader closes the year: its figures as at 31 December are stored with it, and every
    later build of the year's report reads them instead of today's data; its budget figures
    can no longer be changed until it is reopened."""
    from budget import figures

    _ensure_leader(by)
    budget_year = BudgetYear.objects.select_for_update().get(pk=budget_year.pk)
    latest = YearClosing.objects.latest_for(budget_year)
    if latest is not None and latest.is_close:
        raise ValidationError(_("%(year)s年度已经关账。") % {"year": budget_year.year})
    closing = YearClosing(
        budget_year=budget_year,
        action=YearClosing.Action.CLOSE,
        by=by,
        figures=figures.freeze(figures.collect(budget_year)),
    )
    _save(closing)
    return closing


@transaction.atomic
def reopen_year(*, budget_year: BudgetYear, by: User, reason: str) -> YearClosing:
    """A leader reopens a closed year, saying why; builds read today's data again."""
    _ensure_leader(by)
    budget_year = BudgetYear.objects.select_for_update().get(pk=budget_year.pk)
    latest = YearClosing.objects.latest_for(budget_year)
    if latest is None or not latest.is_close:
        raise ValidationError(_("%(year)s年度没有关账。") % {"year": budget_year.year})
    if not reason.strip():
        raise ValidationError(_("重新开账须说明理由。"))
    reopening = YearClosing(
        budget_year=budget_year, action=YearClosing.Action.REOPEN, by=by, reason=reason.strip()
    )
    _save(reopening)
    return reopening


# ---------------------------------------------------------------------------
# Explaining and acknowledging the findings of the consistency check


def _current_finding(budget_year: BudgetYear, key: str):
    from budget import yearbook

    finding = next((f for f in yearbook.gather(budget_year).findings if f.key == key), None)
    if finding is None:
        raise ValidationError(_("这处不一致已不存在（数据可能已更正），请刷新页面。"))
    return finding


@transaction.atomic
def explain_finding(
    *, budget_year: BudgetYear, by: User, key: str, explanation: str
) -> FindingNote:
    """Write the office's explanation of a finding, printed in §十 of the report. New words
    withdraw a leader's acknowledgement of the old ones."""
    ensure_office_staff(by)
    _current_finding(budget_year, key)
    note = FindingNote.objects.select_for_update().filter(budget_year=budget_year, key=key).first()
    note = note or FindingNote(budget_year=budget_year, key=key)
    explanation = explanation.strip()
    if note.explanation != explanation:
        note.acknowledged_by, note.acknowledged_at, note.acknowledged_figures = None, None, ""
    note.explanation = explanation
    note.written_by = by
    note.written_at = timezone.now()
    _save(note)
    return note


@transaction.atomic
def acknowledge_finding(*, budget_year: BudgetYear, by: User, key: str) -> FindingNote:
    """A leader (领导) acknowledges a finding and its explanation as they stand, recorded with
    who and when (the note's history keeps every acknowledgement)."""
    ensure_office_staff(by)
    if not by.is_leader:
        raise PermissionDenied(_("只有领导可以确认一致性检查的差异说明。"))
    finding = _current_finding(budget_year, key)
    note = FindingNote.objects.select_for_update().filter(budget_year=budget_year, key=key).first()
    if note is None or not note.explanation.strip():
        raise ValidationError(_("请先填写这处不一致的差异说明，再由领导确认。"))
    note.acknowledged_by = by
    note.acknowledged_at = timezone.now()
    note.acknowledged_figures = FindingNote.figures_of(finding)
    _save(note)
    return note


# ---------------------------------------------------------------------------
# The report job


def _not_queued(run_id: int) -> str:
    """The broker refused the run's job: mark it failed (it can be retried) and say where."""
    AnnualReport.objects.filter(pk=run_id, status=AnnualReport.Status.QUEUED).update(
        status=AnnualReport.Status.FAILED,
        error=_("任务队列暂时不可用，报告未能开始生成。"),
        finished_at=timezone.now(),
    )
    return reverse("budget:report_detail", args=[run_id])


def _queue(run: AnnualReport) -> None:
    from budget.tasks import build_annual_report

    jobs.queue_on_commit(build_annual_report, run.pk, on_broker_down=lambda: _not_queued(run.pk))


def request_report(*, budget_year: BudgetYear, by: User | None) -> AnnualReport:
    """Queue a build of the year's report; the job starts once this is committed.

    Raises core.jobs.BrokerUnavailable (after marking the run failed, so that it can be
    retried) when the broker cannot take the job; core.middleware turns it into a 503 page."""
    if by is not None:
        ensure_office_staff(by)
    with transaction.atomic():
        run = AnnualReport.objects.create(budget_year=budget_year, requested_by=by)
        _queue(run)
    return run


def retry_report(*, run: AnnualReport, by: User) -> AnnualReport:
    """Queue a failed run again (same run, same file folder). Raises ValidationError unless the
    run failed, and BrokerUnavailable as request_report does."""
    ensure_office_staff(by)
    with transaction.atomic():
        run = AnnualReport.objects.select_for_update().get(pk=run.pk)
        if run.status != AnnualReport.Status.FAILED:
            raise ValidationError(_("只有失败的报告可以重新生成。"))
        run.status = AnnualReport.Status.QUEUED
        run.progress = 0
        run.error = ""
        run.finished_at = None
        run.requeued = 0
        run.moved_at = timezone.now()
        run.requested_by = by
        run.save()
        _queue(run)
    return run


def requeue_stalled_reports(*, now: datetime | None = None) -> tuple[int, int]:
    """The beat sweep: a run queued or running that has not moved for
    settings.JOBS_STALLED_MINUTES is queued again once (its worker may have died and its message
    been lost); a run that stalls again is marked failed, with the retry button on its page.

    Returns (runs re-queued, runs marked failed). Safe to run twice: a re-queued run has moved."""
    now = now or timezone.now()
    minutes = settings.JOBS_STALLED_MINUTES
    since = now - timedelta(minutes=minutes)
    requeued = failed = 0
    for run_id in AnnualReport.objects.stalled(since=since).values_list("pk", flat=True):
        with transaction.atomic():
            run = AnnualReport.objects.stalled(since=since).select_for_update().filter(pk=run_id)
            run = run.first()
            if run is None:  # it moved or finished meanwhile
                continue
            if run.requeued < 1:
                logger.warning("Report run %s stalled at %s%%: queued again", run.pk, run.progress)
                run.status = AnnualReport.Status.QUEUED
                run.requeued += 1
                run.moved_at = now
                run.save()
                _queue(run)
                requeued += 1
            else:
                logger.error("Report run %s stalled again at %s%%: failed", run.pk, run.progress)
                run.status = AnnualReport.Status.FAILED
                run.error = _(
                    "生成任务超过%(minutes)s分钟没有进展，自动重试后仍未完成，已停止。"
                    "请点击“重新生成”；如仍失败，请联系系统管理员。"
                ) % {"minutes": minutes}
                run.finished_at = now
                run.save()
                failed += 1
    return requeued, failed


def _progress(run_id: int, percent: int) -> None:
    # An UPDATE outside any transaction, so that the page polling the run sees it at once.
    AnnualReport.objects.filter(pk=run_id).update(progress=percent, moved_at=timezone.now())


def build_report(*, run_id: int, today: date | None = None) -> AnnualReport:
    """The job: build the five files of the run's year and store them on the run.

    Safe to run twice: a finished run is left as it is, and a run interrupted half-way is
    built again from the start, overwriting its own files (their names are fixed); of two
    deliveries running at once, the one that finishes second leaves the first one's files."""
    from budget import yearbook
    from budget.report.build import build_files

    run = AnnualReport.objects.select_related("budget_year").get(pk=run_id)
    if run.status == AnnualReport.Status.DONE:
        return run
    started = timezone.now()
    AnnualReport.objects.filter(pk=run.pk).update(
        status=AnnualReport.Status.RUNNING,
        progress=5,
        started_at=started,
        moved_at=started,
        error="",
    )
    try:
        book = yearbook.gather(run.budget_year)
        _progress(run.pk, 10)
        files = build_files(
            book,
            today=today or timezone.localdate(),
            progress=lambda percent: _progress(run.pk, percent),
        )
        with transaction.atomic():
            run = AnnualReport.objects.select_for_update().get(pk=run.pk)
            if run.status == AnnualReport.Status.DONE:
                # A second delivery of the job finished first: keep its files.
                return run
            for field, content in files.items():
                name = report_upload_to(run, AnnualReport.FILES[field])
                field_file = getattr(run, field)
                if field_file.storage.exists(name):
                    field_file.storage.delete(name)
                field_file.save(AnnualReport.FILES[field], ContentFile(content), save=False)
            run.findings = [
                {**finding.as_dict(), "explanation": text}
                for finding, _note, text in book.finding_rows()
            ]
            run.total_score = book.department.total if book.department.rows else None
            run.grade = book.department.grade
            run.status = AnnualReport.Status.DONE
            run.progress = 100
            run.started_at = started
            run.finished_at = timezone.now()
            run.save()
    except Exception as error:
        logger.exception("Building annual report run %s failed", run_id)
        AnnualReport.objects.filter(pk=run_id).update(
            status=AnnualReport.Status.FAILED,
            error=_("生成失败：%(error)s") % {"error": error},
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
    return run


def unacknowledged(run: AnnualReport) -> list[dict]:
    """The findings of a run that keep it from being published: those no leader acknowledged
    for the figures and the explanation the run printed in §十."""
    notes = {note.key: note for note in run.budget_year.finding_notes.all()}
    missing = []
    for finding in run.findings:
        note = notes.get(finding.get("key"))
        if (
            note is None
            or not note.acknowledges(finding)
            or note.explanation.strip() != finding.get("explanation")
        ):
            missing.append(finding)
    return missing


@transaction.atomic
def publish_report(*, run: AnnualReport, by: User) -> AnnualReport:
    """Publish a finished run to the public page.

    A run whose consistency check found disagreements is published only when a leader has
    acknowledged each one, for the figures and the explanation the run printed (correct the
    data instead, and the next build has no finding to acknowledge)."""
    ensure_budget_editor(by)
    run = AnnualReport.objects.select_for_update().select_related("budget_year").get(pk=run.pk)
    if run.status != AnnualReport.Status.DONE:
        raise ValidationError(_("只有已完成的报告可以公开。"))
    if run.is_published:
        raise ValidationError(_("该报告已经公开。"))
    missing = unacknowledged(run)
    if missing:
        raise ValidationError(
            _(
                "一致性检查发现的%(count)s处不一致尚未经领导确认其说明（%(where)s）。"
                "请更正数据，或填写差异说明并由领导确认后重新生成报告。"
            )
            % {
                "count": len(missing),
                "where": "；".join(finding["message"] for finding in missing),
            }
        )
    run.published_at = timezone.now()
    run.published_by = by
    run.save(update_fields=["published_at", "published_by"])
    public_cache.bump()
    return run


@transaction.atomic
def withdraw_report(*, run: AnnualReport, by: User) -> AnnualReport:
    ensure_budget_editor(by)
    run = AnnualReport.objects.select_for_update().get(pk=run.pk)
    run.published_at = None
    run.published_by = None
    run.save(update_fields=["published_at", "published_by"])
    public_cache.bump()
    return run
