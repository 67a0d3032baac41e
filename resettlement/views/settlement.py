"""The settlement pages of a swap household: its chosen flats, the swap lines of its current
breakdown with the difference in words, transition, overdue extension and hand-over, with the
forms that lend and take back a transit flat, record a building's delivery (office only) and
hand a flat over; its 选房确认书 and 入住通知单; and the project's settlements with their .xlsx.

Anyone who may see the project reads them; office staff and the project's district office act
(like the compensation pages); the services (resettlement.handover) refuse in Chinese and
save nothing half-way (each runs in one transaction)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compensation import supplements
from compensation.models import Agreement
from compensation.views.common import document_response, xlsx_response
from core import permissions
from core.http import paginate, report_form_errors, report_validation_error
from core.scoping import get_visible_or_404, visible_to
from projects.models import Household, Project
from resettlement import documents, handover
from resettlement import settlement_exports as exports
from resettlement.models import Building, Flat, Selection, TransitLoan
from resettlement.settlement_forms import DayForm, HandoverForm, LendForm
from resettlement.summary import settlement_for


def _household_for(request, pk) -> Household:
    return get_visible_or_404(
        Household.objects.select_related("project__district"), request.user, pk=pk
    )


def _can_act(user, project) -> bool:
    """Office staff and the project's own district office (as on the compensation pages)."""
    return permissions.allowed(user, "projects.edit_project", project)


def _ensure_can_act(user, project) -> None:
    if not _can_act(user, project):
        raise PermissionDenied(_("您无权办理该户的安置事项。"))


def transit_flats(user):
    """Transit flats (周转房) the user may lend: not void, not lent now."""
    lent = TransitLoan.objects.filter(returned_on__isnull=True).values("flat_id")
    return (
        visible_to(Flat.objects.filter(kind=Flat.Kind.TRANSIT), user)
        .exclude(state=Flat.State.VOID)
        .exclude(pk__in=lent)
        .select_related("building__estate")
    )


def _back(household):
    return redirect("resettlement:household_settlement", pk=household.pk)


@login_required
def household_settlement(request, pk):
    household = _household_for(request, pk)
    project = household.project
    user = request.user
    settlement = settlement_for(household)
    buildings = {chosen.building.pk: chosen.building for chosen in settlement.flats}
    can_act = _can_act(user, project)
    return render(
        request,
        "resettlement/settlement/household.html",
        {
            "household": household,
            "project": project,
            "settlement": settlement,
            "buildings": [b for b in buildings.values() if b.delivered_on is None],
            "can_act": can_act,
            "is_office": user.is_office_staff,
            "lend_form": LendForm(flats=transit_flats(user)) if can_act else None,
            "day_form": DayForm(),
            "handover_form": HandoverForm(),
            "swap_due": supplements.swap_due_shown(
                household.agreements.filter(party=Agreement.Party.HOUSEHOLD).first()
            ),
        },
    )


@login_required
@require_POST
def lend(request, pk):
    household = _household_for(request, pk)
    _ensure_can_act(request.user, household.project)
    form = LendForm(request.POST, flats=transit_flats(request.user))
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(household)
    try:
        loan = handover.lend_transit_flat(
            household=household,
            flat=form.cleaned_data["flat"],
            on=form.cleaned_data["on"],
            by=request.user,
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已登记借用周转房 %(flat)s。") % {"flat": loan.flat})
    return _back(household)


@login_required
@require_POST
def give_back(request, pk):
    loan = get_visible_or_404(
        TransitLoan.objects.select_related("household__project", "flat"), request.user, pk=pk
    )
    household = loan.household
    _ensure_can_act(request.user, household.project)
    form = DayForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(household)
    try:
        handover.return_transit_flat(loan=loan, on=form.cleaned_data["on"], by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已登记腾退周转房 %(flat)s。") % {"flat": loan.flat})
    return _back(household)


@login_required
@require_POST
def delivery(request, pk, building_pk):
    """A building's delivery (竣工交付): the office only."""
    household = _household_for(request, pk)
    if not request.user.is_office_staff:
        raise PermissionDenied(_("楼栋交付只能由市征收办工作人员登记。"))
    building = get_visible_or_404(
        Building.objects.select_related("estate"), request.user, pk=building_pk
    )
    form = DayForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(household)
    try:
        handover.record_delivery(building=building, on=form.cleaned_data["on"], by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已登记%(building)s交付。") % {"building": building})
    return _back(household)


@login_required
@require_POST
def hand_over(request, pk):
    selection = get_visible_or_404(
        Selection.objects.select_related("household__project", "flat"), request.user, pk=pk
    )
    household = selection.household
    _ensure_can_act(request.user, household.project)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(household)
    try:
        handover.record_handover(selection=selection, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("%(flat)s 已交房。") % {"flat": selection.flat})
    return _back(household)


@login_required
def confirmation_file(request, pk, fmt):
    """选房确认书 as PDF or .docx."""
    household = _household_for(request, pk)
    try:
        document = documents.confirmation_document(household, timezone.localdate())
        return document_response(document, fmt)
    except ValidationError as error:
        report_validation_error(request, error)
        return _back(household)


@login_required
def notice_file(request, pk, fmt):
    """入住通知单 of one handed-over (or hand-over-ready) flat, as PDF or .docx."""
    selection = get_visible_or_404(
        Selection.objects.select_related("household__project__district", "flat__building__estate"),
        request.user,
        pk=pk,
    )
    try:
        document = documents.move_in_document(selection, timezone.localdate())
        return document_response(document, fmt)
    except ValidationError as error:
        report_validation_error(request, error)
        return _back(selection.household)


def _project_for(request, pk) -> Project:
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


@login_required
def project_settlements(request, pk):
    """The project's swap households with their flats, difference, transition and hand-over."""
    project = _project_for(request, pk)
    page = paginate(request, exports.swap_households(project), per_page=50)
    rows = exports.rows_for(page)
    return render(
        request,
        "resettlement/settlement/project.html",
        {"project": project, "page": page, "rows": rows},
    )


@login_required
def project_settlements_xlsx(request, pk):
    project = _project_for(request, pk)
    return xlsx_response(
        exports.settlements_xlsx(project),
        _("产权调换结算-%(code)s.xlsx") % {"code": project.code},
    )
