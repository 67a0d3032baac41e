"""Per-household valuations, their re-checks and expert reviews, with their legal clocks.

Office staff and the district office of the project record them; everybody else who may see
the project reads them (through core.scoping)."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisers import clocks, services
from appraisers.forms import (
    DeliveryForm,
    RecheckAnswerForm,
    RecheckRequestForm,
    ReviewDecisionForm,
    ReviewRequestForm,
    ValuationForm,
)
from appraisers.models import Commission, ExpertReview, Recheck, Valuation
from core.compiled import CompiledRows, CompiledValues, field_names, instance
from core.deadlines import WorkCalendar
from core.formatting import decimal_text
from core.http import (
    add_service_error,
    address_by_pk,
    paginate,
    report_form_errors,
    report_validation_error,
)
from core.labels import html_labels
from core.markup import html_format
from core.models import District
from core.scoping import get_visible_or_404, visible_row
from projects.models import Household, Project
from projects.services import ensure_can_edit_project
from projects.views.gates import gate_refusal, refused_page


def _can_edit(user, project) -> bool:
    return user.is_office_staff or user.district_id == project.district_id


def _commission(project) -> Commission | None:
    return (
        Commission.objects.filter(selection__project=project)
        .select_related("firm", "selection")
        .first()
    )


@CompiledValues
def _valuation_project_rows(pk: int):
    # Read unscoped, checked with core.scoping.sees_district (_valuation_project).
    return (
        _with_valuation_totals(Project.objects.filter(pk=pk))
        .annotate(
            # What the page shows of the commission, if any: two columns, not three models.
            commission_contract=F("firm_selection__commission__contract_number"),
            commission_firm=F("firm_selection__commission__firm__name"),
        )
        .values(
            *field_names(Project),
            *field_names(District, "district__"),
            *_PROJECT_FIGURES,
        )
    )


_PROJECT_FIGURES = (
    "household_count",
    "valued_count",
    "valued_sum",
    "commission_contract",
    "commission_firm",
)


def _valuation_project(user, pk: int) -> Project:
    """Project `pk` with its district and the page's figures (_with_valuation_totals, the
    commission's contract and firm), read by SQL written once; Http404 unless `user` may read
    it (visible_to's rule)."""
    row = visible_row(user, _valuation_project_rows(pk))
    project = instance(Project, row)
    project.district = instance(District, row, "district__")
    for name in _PROJECT_FIGURES:
        setattr(project, name, row[name])
    return project


@CompiledValues
def _valuation_households(project_id: int):
    """The list's households of one project, by code: what the row writer reads of each."""
    households = Household.objects.filter(project_id=project_id).order_by("code")
    return households.values("pk", "code", "head_name", "area")


def _household_page(project_id: int):
    """`_valuation_households` of the project read a slice at a time (CompiledRows); an empty
    slice (a project without households) reads nothing."""

    def rows(*, limit: int, offset: int) -> list[dict]:
        if not limit:
            return []
        return _valuation_households(project_id, limit=limit, offset=offset)

    return rows


@login_required
def valuation_list(request, pk):
    project = _valuation_project(request.user, pk)
    page = paginate(
        request,
        CompiledRows(project.household_count, _household_page(project.pk), _row_object),
        per_page=50,
        count=project.household_count,
    )
    commission = (
        {"contract_number": project.commission_contract, "firm": project.commission_firm}
        if project.commission_contract is not None
        else None
    )
    can_edit = _can_edit(request.user, project)
    return render(
        request,
        "appraisers/valuation_list.html",
        {
            "project": project,
            "page": page,
            "rows": _valuation_rows(
                project, page.object_list, creates=can_edit and commission is not None
            ),
            "totals": {"count": project.valued_count, "value": project.valued_sum},
            "household_count": project.household_count,
            "commission": commission,
            "can_edit": can_edit,
        },
    )


def _row_object(row: dict) -> SimpleNamespace:
    """A row of `_valuation_households` read as a household's attributes (pk, code,
    head_name, area): what _valuation_rows reads."""
    return SimpleNamespace(**row)


@CompiledValues
def _page_reports(project_id: int, first_code: str, last_code: str):
    """The reports of the project's households whose codes run from `first_code` to
    `last_code` (a page of the list, by code) that the list shows: each household's current
    report and the report that was re-checked, with its re-check and expert review (None's
    columns where there is none)."""
    return (
        Valuation.objects.filter(
            household__project_id=project_id,
            household__code__gte=first_code,
            household__code__lte=last_code,
        )
        .filter(Q(is_current=True) | Q(recheck__isnull=False))
        .order_by()
        .values(
            *field_names(Valuation),
            *field_names(Recheck, "recheck__"),
            *field_names(ExpertReview, "recheck__expert_review__"),
        )
    )


def _reports(project, households) -> tuple[dict, dict]:
    """The page's households' current reports and re-checks (each with its expert review,
    None when there is none, as select_related("recheck__expert_review") gives it), by
    household id: as `_page_reports` reads them."""
    current, rechecks = {}, {}
    if not households:
        return current, rechecks
    recheck_field = Valuation._meta.get_field("recheck")
    review_field = Recheck._meta.get_field("expert_review")
    for row in _page_reports(project.pk, households[0].code, households[-1].code):
        report = instance(Valuation, row)
        recheck = None
        if row["recheck__id"] is not None:
            recheck = instance(Recheck, row, "recheck__")
            review = None
            if row["recheck__expert_review__id"] is not None:
                review = instance(ExpertReview, row, "recheck__expert_review__")
            review_field.set_cached_value(recheck, review)
        recheck_field.set_cached_value(report, recheck)
        if report.is_current:
            current[report.household_id] = report
        if recheck is not None:
            rechecks[report.household_id] = recheck
    return current, rechecks


def _with_valuation_totals(projects):
    """Annotate each project, in its own query, with `household_count`, `valued_count` (its
    households with a current valuation) and `valued_sum` (their appraised values in yuan,
    None when none)."""
    # Each household joined with its one current valuation (a unique constraint), if any: no
    # household counted twice.
    return projects.annotate(
        current_valuation=FilteredRelation(
            "households__valuations", condition=Q(households__valuations__is_current=True)
        ),
        household_count=Count("households"),
        valued_count=Count("current_valuation"),
        valued_sum=Sum("current_valuation__appraised_value"),
    )


# One row of the list's table (valuation_list.html's <tbody>), written in Python
# (core.markup: every value escaped unless marked safe): the template spent about a quarter of
# the page's CPU on the rows' variables and conditions at 50 a page.
_ROW = (
    '<tr><td><a href="{url}">{code}</a></td><td>{head_name}</td><td class="num">{area}</td>'
    "{report}</tr>"
)
_REPORT = (
    '<td><a href="{url}">{number}</a></td><td class="num">{unit_price}</td>'
    '<td class="num">{value}</td><td>{status}</td>'
)
_PENDING = '<span class="{css}">{label}</span>'
_UNVALUED = '<td colspan="3" class="empty">{}</td>'
_CREATE = '<td><a href="{url}">{label}</a></td>'


def _valuation_rows(project, households, *, creates: bool) -> list[SafeString]:
    """The list's rows (HTML) of `project`'s `households` (a page, by code): each address
    from one reverse() per column, labels from one dictionary each. `creates`: whether each
    household without a report links to recording one."""
    households = list(households)
    # Each household's current report and its re-check (of its original report, the only one
    # that may be re-checked: record_valuation refuses a second), read together.
    current, rechecks = _reports(project, households)
    household_url = address_by_pk("projects:household_detail")
    valuation_url = address_by_pk("appraisers:valuation_detail")
    create_url = address_by_pk("appraisers:valuation_create")
    recheck_outcomes = html_labels(Recheck.Outcome)
    review_outcomes = html_labels(ExpertReview.Outcome)
    unvalued = html_format(_UNVALUED, _("未评估"))
    record = _("录入评估报告")
    pending = {
        "review": html_format(_PENDING, css="warn", label=_("专家鉴定中")),
        "recheck": html_format(_PENDING, css="warn", label=_("复核中")),
        "delivery": html_format(_PENDING, css="muted", label=_("待送达")),
    }
    delivered = _("已送达")
    rows = []
    for household in households:
        valuation = current.get(household.pk)
        if valuation is None:
            report = html_format(
                "{}{}",
                unvalued,
                html_format(_CREATE, url=create_url(household.pk), label=record)
                if creates
                else SafeString("<td></td>"),
            )
        else:
            recheck = rechecks.get(household.pk)
            review = getattr(recheck, "expert_review", None)
            if review is not None:
                status = (
                    review_outcomes.get(review.outcome, review.outcome)
                    if review.is_decided
                    else pending["review"]
                )
            elif recheck is not None:
                status = (
                    recheck_outcomes.get(recheck.outcome, recheck.outcome)
                    if recheck.is_answered
                    else pending["recheck"]
                )
            else:
                status = delivered if valuation.delivered_on else pending["delivery"]
            report = html_format(
                _REPORT,
                url=valuation_url(valuation.pk),
                number=valuation.report_number,
                unit_price=decimal_text(valuation.unit_price),
                value=decimal_text(valuation.appraised_value),
                status=status,
            )
        rows.append(
            html_format(
                _ROW,
                url=household_url(household.pk),
                code=household.code,
                head_name=household.head_name,
                area=decimal_text(household.area),
                report=report,
            )
        )
    return rows


@login_required
def valuation_create(request, pk):
    household = get_visible_or_404(
        Household.objects.select_related("project__district"), request.user, pk=pk
    )
    project = household.project
    ensure_can_edit_project(request.user, project)
    # The stage and what is missing (the commission among it), before any form: GET and POST.
    refused = refused_page(request, "valuation.record", project=project, household=household)
    if refused:
        return refused
    commission = _commission(project)
    if commission is None:  # only under a leader's override, which cannot supply the firm
        messages.error(request, _("本项目尚未委托评估机构，不能录入评估报告。"))
        return redirect("appraisers:valuation_list", pk=project.pk)
    form = ValuationForm(request.POST or None, firm=commission.firm)
    if request.method == "POST" and form.is_valid():
        try:
            valuation = services.record_valuation(
                household=household, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已录入%(code)s户的评估报告。") % {"code": household.code})
            return redirect(valuation)
    return render(
        request,
        "appraisers/valuation_form.html",
        {"form": form, "household": household, "project": project, "commission": commission},
    )


def _valuation_for(request, pk):
    valuations = Valuation.objects.select_related(
        "household__project__district", "firm", "commission", "recorded_by"
    )
    return get_visible_or_404(valuations, request.user, pk=pk)


@login_required
def valuation_detail(request, pk):
    valuation = _valuation_for(request, pk)
    household = valuation.household
    project = household.project
    calendar = WorkCalendar()
    today = timezone.localdate()
    chain = list(
        Valuation.objects.filter(household=household)
        .select_related("firm")
        .prefetch_related("valuers")
        .order_by("recorded_at", "pk")
    )
    original = next((v for v in chain if v.source == Valuation.Source.ORIGINAL), valuation)
    recheck = (
        Recheck.objects.filter(valuation=original).select_related("revised").first()
        if original
        else None
    )
    review = (
        ExpertReview.objects.filter(recheck=recheck).select_related("revised").first()
        if recheck
        else None
    )
    can_edit = _can_edit(request.user, project)
    context = {
        "valuation": valuation,
        "household": household,
        "project": project,
        "chain": chain,
        "original": original,
        "recheck": recheck,
        "review": review,
        "today": today,
        "can_edit": can_edit,
        "request_deadline": clocks.recheck_request_deadline(original, calendar),
        "answer_deadline": clocks.recheck_answer_deadline(recheck, calendar) if recheck else None,
        "review_request_deadline": clocks.review_request_deadline(recheck, calendar)
        if recheck and recheck.is_answered
        else None,
        "decision_deadline": clocks.review_decision_deadline(review, calendar) if review else None,
    }
    if can_edit:
        context["recheck_refusal"] = gate_refusal(
            request.user, "valuation.recheck", project=project, household=household
        )
        if original.delivered_on is None:
            context["delivery_form"] = DeliveryForm(initial={"delivered_on": today})
        elif recheck is None and original.is_current:
            context["recheck_form"] = RecheckRequestForm(initial={"requested_on": today})
        elif recheck and recheck.is_answered and review is None:
            context["review_form"] = ReviewRequestForm(initial={"requested_on": today})
    return render(request, "appraisers/valuation_detail.html", context)


@login_required
@require_POST
def valuation_delivery(request, pk):
    valuation = _valuation_for(request, pk)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(valuation)
    try:
        services.record_delivery(valuation=valuation, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("送达日期已录入，申请复核的期限开始计算。"))
    return redirect(valuation)


@login_required
@require_POST
def recheck_request(request, pk):
    valuation = _valuation_for(request, pk)
    household = valuation.household
    refused = refused_page(
        request, "valuation.recheck", project=household.project, household=household
    )
    if refused:
        return refused
    form = RecheckRequestForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(valuation)
    try:
        services.request_recheck(valuation=valuation, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("复核申请已登记，估价机构应在10日内答复。"))
    return redirect(valuation)


def _recheck_for(request, pk):
    rechecks = Recheck.objects.select_related(
        "valuation__household__project__district", "valuation__firm"
    )
    return get_visible_or_404(rechecks, request.user, pk=pk)


@login_required
def recheck_answer(request, pk):
    recheck = _recheck_for(request, pk)
    valuation = recheck.valuation
    ensure_can_edit_project(request.user, valuation.household.project)
    form = RecheckAnswerForm(
        request.POST or None,
        firm=valuation.firm,
        initial={"answered_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.answer_recheck(
                recheck=recheck,
                by=request.user,
                answered_on=data["answered_on"],
                result_delivered_on=data["result_delivered_on"],
                answer=data["answer"],
                changed=data["changed"],
                revision=form.revision(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("复核结果已录入。"))
            return redirect(valuation)
    return render(
        request,
        "appraisers/recheck_form.html",
        {
            "form": form,
            "recheck": recheck,
            "valuation": valuation,
            "project": valuation.household.project,
            "deadline": clocks.recheck_answer_deadline(recheck),
        },
    )


@login_required
@require_POST
def review_request(request, pk):
    recheck = _recheck_for(request, pk)
    household = recheck.valuation.household
    refused = refused_page(
        request, "valuation.recheck", project=household.project, household=household
    )
    if refused:
        return refused
    form = ReviewRequestForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(recheck.valuation)
    try:
        services.request_expert_review(recheck=recheck, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("专家鉴定申请已登记，应在10日内作出鉴定。"))
    return redirect(recheck.valuation)


@login_required
def review_decide(request, pk):
    reviews = ExpertReview.objects.select_related(
        "recheck__valuation__household__project__district", "recheck__valuation__firm"
    )
    review = get_visible_or_404(reviews, request.user, pk=pk)
    valuation = review.recheck.valuation
    ensure_can_edit_project(request.user, valuation.household.project)
    form = ReviewDecisionForm(
        request.POST or None, firm=valuation.firm, initial={"decided_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_expert_review(
                review=review,
                by=request.user,
                decided_on=data["decided_on"],
                opinion=data["opinion"],
                corrected=data["corrected"],
                revision=form.revision(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("专家鉴定结论已录入。"))
            return redirect(valuation)
    return render(
        request,
        "appraisers/expertreview_form.html",
        {
            "form": form,
            "review": review,
            "valuation": valuation,
            "project": valuation.household.project,
            "deadline": clocks.review_decision_deadline(review),
        },
    )


urlpatterns = [
    path("projects/<int:pk>/valuations/", valuation_list, name="valuation_list"),
    path("households/<int:pk>/valuation/new/", valuation_create, name="valuation_create"),
    path("valuations/<int:pk>/", valuation_detail, name="valuation_detail"),
    path("valuations/<int:pk>/delivery/", valuation_delivery, name="valuation_delivery"),
    path("valuations/<int:pk>/recheck/", recheck_request, name="recheck_request"),
    path("rechecks/<int:pk>/answer/", recheck_answer, name="recheck_answer"),
    path("rechecks/<int:pk>/review/", review_request, name="review_request"),
    path("reviews/<int:pk>/decide/", review_decide, name="review_decide"),
]
