"""Per-household compensation: the project's households with due, paid and unpaid; a
household's breakdown line by line, its counted items, agreements, subsidy and payments; the
compensation statement and the settlement sheet; the project's price catalogue."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compensation import documents, exports, reports, services, supplements
from compensation.forms import AgreementDraftForm, ItemCountsForm, PriceItemForm
from compensation.models import CompensationBreakdown, Fund, HardshipSubsidy, PriceItem
from compensation.views.common import (
    can_edit,
    file_response,
    project_for,
    xlsx_response,
)
from core import permissions
from core.compiled import CompiledRows, CompiledValues, field_names, instance
from core.formatting import decimal_text
from core.http import address_by_pk, paginate, report_form_errors, report_validation_error
from core.labels import html_labels
from core.markup import html_format
from core.models import District
from core.scoping import get_visible_or_404, visible_row
from projects import gates
from projects.models import Household, Project
from projects.views.gates import gate_refusal


def household_for(request, pk) -> Household:
    return get_visible_or_404(
        Household.objects.select_related("project__district"), request.user, pk=pk
    )


@CompiledValues
def _households_project_rows(pk: int):
    # Read unscoped, checked with core.scoping.sees_district (_households_project): the project
    # with its district, its fund (None's columns when it has none) and with_summary's counts.
    return reports.with_summary(Project.objects.filter(pk=pk)).values(
        *field_names(Project),
        *field_names(District, "district__"),
        *field_names(Fund, "fund__"),
        "household_count",
        "signed_count",
        "computed_count",
        "breakdown_sum",
    )


def _households_project(user, pk: int) -> Project:
    """Project `pk` as project_for(reports.with_summary(select_related("district", "fund")))
    gives it, read by SQL written once; Http404 unless `user` may read it (visible_to's rule)."""
    row = visible_row(user, _households_project_rows(pk))
    project = instance(Project, row)
    project.district = instance(District, row, "district__")
    fund = instance(Fund, row, "fund__") if row["fund__id"] is not None else None
    # As select_related("fund") leaves it: the fund, or None cached (getattr(…, None) is None).
    Project._meta.get_field("fund").set_cached_value(project, fund)
    if fund is not None:
        Fund._meta.get_field("project").set_cached_value(fund, project)
    for name in ("household_count", "signed_count", "computed_count", "breakdown_sum"):
        setattr(project, name, row[name])
    return project


@CompiledValues
def _household_rows(project_id: int, *, signed_only: bool):
    """The list's households of one project, by code, with what household_figures and
    _compensation_rows read (reports.with_compensation's annotations)."""
    households = Household.objects.filter(project_id=project_id)
    if signed_only:
        households = households.filter(signed_on__isnull=False)
    return (
        reports.with_compensation(households)
        .order_by("code")
        .values("pk", *_ROW_FIELDS, "breakdown_total", "adjustment_total", "paid_sum")
    )


def _household_page_rows(project_id: int, signed_only: bool):
    """`_household_rows` of the project read a slice at a time (CompiledRows), each row an
    object with the attributes the row writer and household_figures read; an empty slice
    (a list with no households) reads nothing."""

    def rows(*, limit: int, offset: int) -> list[dict]:
        if not limit:
            return []
        return _household_rows(project_id, limit=limit, offset=offset, signed_only=signed_only)

    return rows


@login_required
def project_households(request, pk):
    project = _households_project(request.user, pk)
    signed_only = bool(request.GET.get("signed"))
    count = project.signed_count if signed_only else project.household_count
    page = paginate(
        request,
        CompiledRows(count, _household_page_rows(project.pk, signed_only), _row_object),
        per_page=50,
        count=count,
    )
    return render(
        request,
        "compensation/household_list.html",
        {
            "project": project,
            "page": page,
            "rows": _compensation_rows(page.object_list),
            "summary": reports.project_summary(project),
            "fund": getattr(project, "fund", None),
            "query": "signed=1" if signed_only else "",
            "signed_only": signed_only,
        },
    )


def _row_object(row: dict) -> SimpleNamespace:
    """A row of `_household_rows` read as a household's attributes (pk, the _ROW_FIELDS and
    with_compensation's annotations): what _compensation_rows and household_figures read."""
    return SimpleNamespace(**row)


_ROW_FIELDS = (
    "project_id",
    "code",
    "head_name",
    "hardship",
    "is_public_housing",
    "use",
    "area",
    "signed_on",
    "method",
)


# One row of the list's table (household_list.html's <tbody>), written in Python
# (core.markup: every value escaped unless marked safe): the template spent about a quarter of
# the page's CPU on the rows' variables and conditions at 50 a page.
_ROW = (
    '<tr><td><a href="{url}">{code}</a></td><td>{head_name}{badges}</td><td>{use}</td>'
    '<td class="num">{area}</td><td>{signed}</td>{figures}</tr>'
)
_FIGURES = (
    '<td class="num">{due}</td><td class="num">{paid}</td><td class="num{warn}">{unpaid}</td>'
)
_UNCOMPUTED = '<td class="num muted">{label}</td><td class="num">{paid}</td><td></td>'
_BADGE = ' <span class="badge{css}">{label}</span>'


def _compensation_rows(households) -> list[SafeString]:
    """The list's rows (HTML): each address from one reverse(), labels from one dictionary
    each, the figures from `with_compensation`'s annotations."""
    address = address_by_pk("compensation:household_detail")
    uses, hardships, methods = (
        html_labels(Household.Use),
        html_labels(Household.Hardship),
        html_labels(Household.Method),
    )
    public_housing = html_format(_BADGE, css="", label=_("公房"))
    unsigned = html_format('<span class="muted">{}</span>', _("未签约"))
    uncomputed = _("未测算")
    rows = []
    for household in households:
        figures = reports.household_figures(household)
        badges = SafeString("")
        if household.hardship:
            badges = html_format(
                _BADGE,
                css=" warn",
                label=hardships.get(household.hardship, household.hardship),
            )
        if household.is_public_housing:
            badges = html_format("{}{}", badges, public_housing)
        paid = decimal_text(figures["paid"])
        signed = unsigned
        if household.signed_on:
            signed = html_format(
                "{} {}",
                household.signed_on.isoformat(),
                methods.get(household.method, household.method),
            )
        if figures["has_breakdown"]:
            cells = html_format(
                _FIGURES,
                due=decimal_text(figures["due"]),
                paid=paid,
                warn=" warn" if figures["unpaid"] else "",
                unpaid=decimal_text(figures["unpaid"]),
            )
        else:
            cells = html_format(_UNCOMPUTED, label=uncomputed, paid=paid)
        rows.append(
            html_format(
                _ROW,
                url=address(household.pk),
                code=household.code,
                head_name=household.head_name,
                badges=badges,
                use=uses.get(household.use, household.use),
                area=decimal_text(household.area),
                signed=signed,
                figures=cells,
            )
        )
    return rows


@login_required
def household_detail(request, pk):
    household = household_for(request, pk)
    project = household.project
    breakdown = (
        CompensationBreakdown.objects.current()
        .filter(household=household)
        .select_related("plan", "valuation", "computed_by")
        .first()
    )
    items = list(project.price_items.all())
    counts = {c.item_id: c.quantity for c in household.item_counts.all()}
    agreements = list(
        household.agreements.select_related("drafted_by", "reviewed_by").prefetch_related(
            "supplements"
        )
    )
    subsidy = HardshipSubsidy.objects.filter(household=household).select_related("notice").first()
    payments = household.ledger_entries.select_related("fund").order_by("occurred_on", "sequence")
    user = request.user
    household_agreement = next((a for a in agreements if a.party == "household"), None)
    draft_initial = {
        "method": household.method or "monetary",
        "swap_area": household_agreement.swap_area if household_agreement else None,
        "swap_transition": household_agreement.swap_transition if household_agreement else True,
    }
    return render(
        request,
        "compensation/household_detail.html",
        {
            "household": household,
            "project": project,
            "breakdown": breakdown,
            "lines": breakdown.lines.all() if breakdown else [],
            "figures": reports.household_figures(household),
            "items_form": ItemCountsForm(items=items, counts=counts),
            "has_items": bool(items),
            "agreements": agreements,
            "draft_form": AgreementDraftForm(initial=draft_initial),
            "draft_refusal": gate_refusal(
                request.user, "agreement.draft", project=project, household=household
            ),
            "subsidy": subsidy,
            "subsidy_payable": subsidy.is_payable(timezone.localdate()) if subsidy else False,
            "subsidy_withdraw_blockers": gates.blockers(
                "subsidy.withdraw", project=project, household=household, obj=subsidy
            )
            if subsidy and not subsidy.is_withdrawn
            else [],
            "payments": payments,
            "fund": Fund.objects.filter(project=project).first(),
            "can_edit": can_edit(user, project),
            "is_finance": permissions.allowed(user, "compensation.keep_fund"),
            "can_redraft": not any(a.is_locked for a in agreements),
            "swap_due": supplements.swap_due_shown(household_agreement),
        },
    )


@login_required
@require_POST
def household_compute(request, pk):
    household = household_for(request, pk)
    try:
        breakdown = services.compute_breakdown(household=household, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        if breakdown.total < 0:
            # A swap household owing the price difference: say who pays, never a minus sign.
            text = _("已重新测算：被征收人应补交%(total)s元。") % {
                "total": f"{-breakdown.total:,.2f}"
            }
        else:
            text = _("已重新测算：应付合计%(total)s元。") % {"total": f"{breakdown.total:,.2f}"}
        messages.success(request, text)
    return redirect("compensation:household_detail", pk=household.pk)


@login_required
@require_POST
def household_items(request, pk):
    household = household_for(request, pk)
    services.ensure_can_edit(request.user, household.project)
    items = household.project.price_items.all()
    form = ItemCountsForm(request.POST, items=items, counts={})
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("compensation:household_detail", pk=household.pk)
    try:
        for item, quantity in form.quantities():
            services.set_item_count(
                household=household, item=item, quantity=quantity, by=request.user
            )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("实物清点已保存；请重新测算补偿。"))
    return redirect("compensation:household_detail", pk=household.pk)


def _current_breakdown(household):
    breakdown = (
        CompensationBreakdown.objects.current()
        .filter(household=household)
        .select_related("plan", "valuation", "household__project__district")
        .first()
    )
    if breakdown is None:
        raise ValidationError(_("该户尚未测算补偿。"))
    return breakdown


@login_required
def statement_pdf(request, pk):
    household = household_for(request, pk)
    try:
        breakdown = _current_breakdown(household)
    except ValidationError as error:
        report_validation_error(request, error)
        return redirect("compensation:household_detail", pk=household.pk)
    try:
        pdf = documents.statement_pdf(breakdown, timezone.localdate())
    except ValidationError as error:  # a character no font has: never a PDF with boxes
        report_validation_error(request, error)
        return redirect("compensation:household_detail", pk=household.pk)
    name = _("补偿明细表-%(project)s-%(code)s.pdf") % {
        "project": household.project.code,
        "code": household.code,
    }
    return file_response(pdf, "application/pdf", name)


@login_required
def settlement_file(request, pk, fmt):
    household = household_for(request, pk)
    try:
        breakdown = _current_breakdown(household)
    except ValidationError as error:
        report_validation_error(request, error)
        return redirect("compensation:household_detail", pk=household.pk)
    document = documents.settlement_document(household, breakdown, timezone.localdate())
    if fmt == "docx":
        return file_response(
            documents.document_docx(document),
            documents.DOCX_CONTENT_TYPE,
            f"{document.filename}.docx",
        )
    try:
        pdf = documents.document_pdf(document)
    except ValidationError as error:  # a character no font has: never a PDF with boxes
        report_validation_error(request, error)
        return redirect("compensation:household_detail", pk=household.pk)
    return file_response(pdf, "application/pdf", f"{document.filename}.pdf")


@login_required
def household_export(request, pk):
    project = project_for(request, pk)
    return xlsx_response(
        exports.household_workbook(project=project), exports.household_filename(project)
    )


@login_required
def price_list(request, pk):
    project = project_for(request, pk)
    editable = can_edit(request.user, project)
    form = PriceItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.save_price_item(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已添加：%(item)s。") % {"item": item})
            return redirect("compensation:price_list", pk=project.pk)
    return render(
        request,
        "compensation/priceitem_list.html",
        {
            "project": project,
            "items": project.price_items.all(),
            "form": form,
            "can_edit": editable,
        },
    )


@login_required
def price_edit(request, pk):
    item = get_visible_or_404(
        PriceItem.objects.select_related("project__district"), request.user, pk=pk
    )
    project = item.project
    services.ensure_can_edit(request.user, project)
    form = PriceItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_price_item(
                project=project, by=request.user, item=item, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("价格目录已保存；已测算的户需重新测算。"))
            return redirect("compensation:price_list", pk=project.pk)
    return render(
        request,
        "compensation/priceitem_form.html",
        {"project": project, "item": item, "form": form},
    )


urlpatterns = [
    path("projects/<int:pk>/households/", project_households, name="project_households"),
    path("projects/<int:pk>/households.xlsx", household_export, name="household_export"),
    path("projects/<int:pk>/prices/", price_list, name="price_list"),
    path("prices/<int:pk>/edit/", price_edit, name="price_edit"),
    path("households/<int:pk>/", household_detail, name="household_detail"),
    path("households/<int:pk>/compute/", household_compute, name="household_compute"),
    path("households/<int:pk>/items/", household_items, name="household_items"),
    path("households/<int:pk>/statement.pdf", statement_pdf, name="statement_pdf"),
    path(
        "households/<int:pk>/settlement.pdf",
        settlement_file,
        {"fmt": "pdf"},
        name="settlement_pdf",
    ),
    path(
        "households/<int:pk>/settlement.docx",
        settlement_file,
        {"fmt": "docx"},
        name="settlement_docx",
    ),
]
