"""Petition cases: list, registration, the case page, the due list, the reply letter."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import due
from core.deadlines import WorkCalendar
from core.http import download, paginate, report_form_errors, report_validation_error
from core.models import District
from core.scoping import get_visible_or_404, visible_to
from petitions import deadlines, letters, services
from petitions.clocks import CATEGORY_LABELS, STATUS_LABELS, due_counts, due_rows
from petitions.forms import (
    AssignForm,
    DocumentForm,
    PetitionerForm,
    PetitionFilterForm,
    PetitionForm,
)
from petitions.models import Channel, Petition, PetitionDocument, Petitioner, Visit
from petitions.views.steps import available_steps

# The look-up code of a newly registered case waits here for the receipt page, which shows it
# once; it is never stored in clear anywhere else.
CODE_SESSION_KEY = "petitions:new-code"


def petition_queryset():
    return Petition.objects.select_related("district", "project", "household", "assignee")


def petition_for(request, pk) -> Petition:
    return get_visible_or_404(petition_queryset(), request.user, pk=pk)


def _with_clocks(petitions):
    calendar = WorkCalendar()
    return [(p, deadlines.current_clock(p, calendar=calendar)) for p in petitions]


@login_required
def petition_list(request):
    districts = visible_to(District.objects.active(), request.user)
    form = PetitionFilterForm(request.GET or None, districts=districts)
    petitions = form.filter(visible_to(Petition, request.user), user=request.user)
    petitions = petitions.select_related("district", "project", "assignee").prefetch_related(
        Prefetch("petitioners", queryset=Petitioner.objects.order_by("-is_representative", "pk"))
    )
    page = paginate(request, petitions.order_by("-received_on", "-pk"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/petition_list.html",
        {
            "form": form,
            "page": page,
            "rows": _with_clocks(page.object_list),
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


DUE_PAGE_SIZE = 25


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _due_page_size(request) -> int:
    """25 a page; ?per_page= (10 to 500) for staff who print the list."""
    asked = request.GET.get("per_page", "")
    return min(max(int(asked), 10), 500) if asked.isdigit() else DUE_PAGE_SIZE


@login_required
def petition_due(request):
    """The cases due within PETITION_DUE_SOON_DAYS or overdue, 25 a page (?page=), read from
    the stored clocks (core.due): a fixed number of queries whatever the page size."""
    today = timezone.localdate()
    soon = deadlines.period("PETITION_DUE_SOON_DAYS")
    until = today + timedelta(days=soon)
    counts = due_counts(request.user, today=today, until=until)
    rows = due_rows(request.user, today=today, until=until)
    page = paginate(request, rows, per_page=_due_page_size(request), count=counts["due"])
    petitions = petition_queryset().in_bulk([row.source_id for row in page.object_list])
    entries = []
    for row in page.object_list:
        petition = petitions.get(row.source_id)
        if petition is None:  # deleted since the row was read: nothing to act on
            continue
        entries.append(
            {
                "petition": petition,
                "kind": due.label(row.kind),
                "due": row.due_on,
                "provisional": row.is_provisional,
                "overdue": row.due_on < today,
                "category": CATEGORY_LABELS.get(petition.category, ""),
                "status": STATUS_LABELS.get(petition.status, ""),
            }
        )
    return render(
        request,
        "petitions/petition_due.html",
        {
            "page": page,
            "overdue": [entry for entry in entries if entry["overdue"]],
            "upcoming": [entry for entry in entries if not entry["overdue"]],
            "overdue_count": counts["overdue"],
            "upcoming_count": counts["due"] - counts["overdue"],
            "today": today,
            "soon": soon,
            "query": _without_page(request),
        },
    )


def _visit_for(request) -> Visit | None:
    pk = request.GET.get("visit")
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404
    return get_visible_or_404(Visit.objects.select_related("project"), request.user, pk=pk)


def _initial_from(visit: Visit | None) -> tuple[dict, dict]:
    if visit is None:
        return {}, {}
    case = {
        "received_on": visit.visited_on,
        "channel": Channel.VISIT,
        "project": visit.project_id,
        "district": visit.district_id,
        "people_count": visit.people_count,
        "request": visit.summary,
    }
    person = {
        "name": visit.visitor_name,
        "id_number": visit.visitor_id_number,
        "phone": visit.visitor_phone,
        "is_representative": visit.people_count > 1,
    }
    return case, person


@login_required
def petition_create(request):
    services.ensure_office_staff(request.user)
    visit = _visit_for(request)
    if visit is not None and visit.petition_id:
        messages.info(request, _("该来访已登记为信访件。"))
        return redirect(visit.petition)
    case_initial, person_initial = _initial_from(visit)
    data = request.POST or None
    form = PetitionForm(data, user=request.user, initial=case_initial)
    person_form = PetitionerForm(data, prefix="petitioner", initial=person_initial)
    if request.method == "POST" and form.is_valid() and person_form.is_valid():
        try:
            registration = services.register_petition(
                by=request.user,
                petitioners=[person_form.cleaned_data],
                visit=visit,
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            petition = registration.petition
            request.session[CODE_SESSION_KEY] = [petition.pk, registration.code]
            messages.success(
                request, _("已登记信访件 %(reference)s。") % {"reference": petition.reference}
            )
            return redirect("petitions:petition_receipt", pk=petition.pk)
    return render(
        request,
        "petitions/petition_form.html",
        {"form": form, "person_form": person_form, "visit": visit},
    )


@login_required
def petition_edit(request, pk):
    petition = petition_for(request, pk)
    services.ensure_office_staff(request.user)
    form = PetitionForm(request.POST or None, instance=petition, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_petition(petition=petition, by=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("信访件信息已保存。"))
            return redirect(petition)
    return render(request, "petitions/petition_form.html", {"form": form, "petition": petition})


@login_required
def petition_receipt(request, pk):
    """The slip given to the petitioner: reference, look-up address and (once) the code."""
    petition = petition_for(request, pk)
    pending = request.session.get(CODE_SESSION_KEY)
    code = None
    if pending and pending[0] == petition.pk:
        code = pending[1]
        del request.session[CODE_SESSION_KEY]
    return render(
        request,
        "petitions/petition_receipt.html",
        {
            "petition": petition,
            "code": code,
            "lookup_url": request.build_absolute_uri(reverse("petitions:lookup")),
            "accept_deadline": deadlines.accept_deadline(petition),
        },
    )


@login_required
def petition_detail(request, pk):
    petition = petition_for(request, pk)
    today = timezone.localdate()
    calendar = WorkCalendar()
    clock = deadlines.current_clock(petition, calendar=calendar)
    reply_deadline = (
        deadlines.reply_deadline(petition, calendar=calendar) if petition.accepted_on else None
    )
    context = {
        "petition": petition,
        "today": today,
        "clock": clock,
        "reply_deadline": reply_deadline,
        "on_time": deadlines.replied_on_time(petition, calendar=calendar),
        "petitioners": petition.petitioners.all(),
        "steps": petition.steps.select_related("by", "document"),
        "documents": petition.documents.select_related("uploaded_by"),
        "visits": petition.visits.select_related("receptionist"),
        "repeats": petition.repeats.all(),
        "steps_available": available_steps(petition, request.user),
        "is_office": request.user.is_office_staff,
        "can_add_documents": request.user.is_office_staff
        or request.user.district_id == petition.district_id,
        "document_form": DocumentForm(),
        "petitioner_form": PetitionerForm(prefix="petitioner"),
        "assign_form": AssignForm(petition=petition) if petition.is_open else None,
    }
    return render(request, "petitions/petition_detail.html", context)


@login_required
@require_POST
def petitioner_add(request, pk):
    petition = petition_for(request, pk)
    form = PetitionerForm(request.POST, prefix="petitioner")
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(petition)
    try:
        services.add_petitioner(petition=petition, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已添加信访人。"))
    return redirect(petition)


@login_required
@require_POST
def petition_assign(request, pk):
    petition = petition_for(request, pk)
    form = AssignForm(request.POST, petition=petition)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(petition)
    try:
        services.assign_petition(petition=petition, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已指定承办人。"))
    return redirect(petition)


@login_required
@require_POST
def petition_reset_code(request, pk):
    petition = petition_for(request, pk)
    code = services.reset_lookup_code(petition=petition, by=request.user)
    request.session[CODE_SESSION_KEY] = [petition.pk, code]
    messages.success(request, _("已重设查询码，原查询码作废。"))
    return redirect("petitions:petition_receipt", pk=petition.pk)


@login_required
@require_POST
def document_upload(request, pk):
    petition = petition_for(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(petition)
    services.add_document(petition=petition, by=request.user, **form.cleaned_data)
    messages.success(request, _("材料已上传。"))
    return redirect(petition)


@login_required
def document_download(request, pk):
    document = get_visible_or_404(PetitionDocument, request.user, pk=pk)
    return download(document.file)


def _replied_petition_for(request, pk) -> Petition:
    petition = petition_for(request, pk)
    if petition.replied_on is None:
        raise Http404
    return petition


@login_required
def petition_letter(request, pk):
    """The reply letter as an A4 page to print from the browser."""
    petition = _replied_petition_for(request, pk)
    return render(
        request,
        "petitions/petition_letter.html",
        {"petition": petition, "letter": letters.reply_letter(petition)},
    )


@login_required
def petition_letter_pdf(request, pk):
    petition = _replied_petition_for(request, pk)
    try:
        pdf = letters.reply_letter_pdf(petition, request=request)
    except ValidationError as error:  # a character no font has: never a letter with boxes
        report_validation_error(request, error)
        return redirect(petition)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = letters.pdf_filename(petition)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


urlpatterns = [
    path("", petition_list, name="petition_list"),
    path("due/", petition_due, name="petition_due"),
    path("new/", petition_create, name="petition_create"),
    path("<int:pk>/", petition_detail, name="petition_detail"),
    path("<int:pk>/edit/", petition_edit, name="petition_edit"),
    path("<int:pk>/receipt/", petition_receipt, name="petition_receipt"),
    path("<int:pk>/petitioners/", petitioner_add, name="petitioner_add"),
    path("<int:pk>/assign/", petition_assign, name="petition_assign"),
    path("<int:pk>/code/", petition_reset_code, name="petition_reset_code"),
    path("<int:pk>/documents/", document_upload, name="document_upload"),
    path("documents/<int:pk>/", document_download, name="document_download"),
    path("<int:pk>/letter/", petition_letter, name="petition_letter"),
    path("<int:pk>/letter.pdf", petition_letter_pdf, name="petition_letter_pdf"),
]
