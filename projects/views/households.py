import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import history as core_history
from core.compiled import CompiledRows, CompiledValues, field_names, instance
from core.formatting import decimal_text
from core.http import address_by_pk, download, paginate, report_form_errors, report_validation_error
from core.labels import html_labels
from core.lookups import contains_pattern
from core.markup import html_format
from core.models import District
from core.rows import Row, count_all, count_of, sum_of
from core.scoping import get_visible_or_404, visible_row
from core.validators import resident_id_warnings
from projects import gates, services
from projects.forms.households import (
    DocumentForm,
    FamilyMemberForm,
    HouseholdFilterForm,
    HouseholdForm,
    SignForm,
)
from projects.models import Household, HouseholdDocument, Project
from projects.views.gates import gate_refusal, gate_rows, refused_page, status_refusal


def _project_for(request, pk):
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


def _household_for(request, pk):
    return get_visible_or_404(
        Household.objects.select_related("project__district"), request.user, pk=pk
    )


def _can_edit(user, project) -> bool:
    return user.is_office_staff or user.district_id == project.district_id


def _warn_about_id(request, id_number: str) -> None:
    for warning in resident_id_warnings(id_number):
        messages.warning(request, warning)


@login_required
def household_list(request, pk):
    project = _list_project(request.user, pk)
    form = HouseholdFilterForm(request.GET or None)
    parameters, filters = _register_filters(form)
    parameters = (project.pk, *parameters)
    [totals] = _register_totals(*parameters, **filters)
    read = functools.partial(_register_page, *parameters, **filters)
    page = paginate(
        request, CompiledRows(totals["count"], read, Row), per_page=50, count=totals["count"]
    )
    # The export link carries the search and filters, not the page or its size.
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("per_page", None)
    can_edit = _can_edit(request.user, project)
    return render(
        request,
        "projects/household_list.html",
        {
            "project": project,
            "form": form,
            "page": page,
            "rows": _register_rows(page.object_list),
            "totals": totals,
            "query": query.urlencode(),
            "can_edit": can_edit,
            # As on the project page: a refused import is marked, leading to its 办理条件.
            "import_refusal": (
                gate_refusal(request.user, "household.import", project=project)
                if can_edit
                else None
            ),
        },
    )


@CompiledValues
def _list_project_rows(pk: int):
    # Read unscoped, checked with core.scoping.sees_district (_list_project).
    project = Project.objects.filter(pk=pk)
    return project.values(*field_names(Project), *field_names(District, "district__"))


def _list_project(user, pk: int) -> Project:
    """`_project_for` (the project with its district) by SQL written once: Http404 unless
    `user` may read it (visible_to's rule)."""
    row = visible_row(user, _list_project_rows(pk))
    project = instance(Project, row)
    project.district = instance(District, row, "district__")
    return project


def _register_filters(form: HouseholdFilterForm) -> tuple[list, dict]:
    """The form's search and filters as the parameters and shape of the register's queries
    (`_filtered_households`); invalid input filters nothing."""
    if not form.is_valid():
        return [], {}
    data = form.cleaned_data
    parameters, filters = [], {}
    if data["q"]:
        parameters.append(contains_pattern(data["q"]))
        filters["search"] = True
    if data["signed"] in ("yes", "no"):
        filters["signed"] = data["signed"]
    if data["use"]:
        parameters.append(data["use"])
        filters["use"] = True
    return parameters, filters


def register_households(project_id: int, form: HouseholdFilterForm) -> QuerySet[Household]:
    """Every household the register lists for `form` (its search and filters, all pages):
    the rows of its export, found by the register's own filters."""
    parameters, filters = _register_filters(form)
    return _filtered_households(project_id, *parameters, **filters)


def _filtered_households(project_id: int, *parameters, search=False, signed=None, use=False):
    """The project's households the register's search and filters find (`_register_filters`):
    the search is any part of the 户号, 户主 or 坐落, in any case."""
    values = iter(parameters)
    households = Household.objects.filter(project_id=project_id)
    if search:
        pattern = next(values)
        households = households.filter(
            Q(code__ilike=pattern) | Q(head_name__ilike=pattern) | Q(address__ilike=pattern)
        )
    if signed is not None:
        households = households.filter(signed_on__isnull=signed == "no")
    if use:
        households = households.filter(use=next(values))
    return households


# The register's queries, written by the ORM once per process and shape of filters
# (core.compiled): its totals (one row) and a page of its rows.
@CompiledValues
def _register_totals(*parameters, **filters):
    return (
        _filtered_households(*parameters, **filters)
        .order_by()
        .values(
            count=count_all(),
            total_area=sum_of("area", Household._meta.get_field("area")),
            signed=count_of("signed_on"),
        )
    )


_ROW_FIELDS = ("code", "head_name", "address", "use", "area", "hardship", "signed_on", "method")


@CompiledValues
def _register_page(*parameters, **filters):
    households = _filtered_households(*parameters, **filters).order_by("code")
    return households.values("pk", *_ROW_FIELDS)


# One row of the register's table (household_list.html's <tbody>), written in Python
# (core.markup: every value escaped unless marked safe): the template spent about a quarter of
# the page's CPU on the rows' variables at 50 a page.
_REGISTER_ROW = (
    '<tr><td><a href="{url}">{code}</a></td><td>{head_name}</td><td>{address}</td>'
    '<td>{use}</td><td class="num">{area}</td><td>{hardship}</td><td>{signed}</td>'
    "<td>{method}</td></tr>"
)


def _register_rows(households: list[Row]) -> list[SafeString]:
    """The register's rows (HTML) from `_register_page`'s: each address from one reverse(),
    labels from one dictionary each."""
    address = address_by_pk("projects:household_detail")
    uses, hardships, methods = (
        html_labels(Household.Use),
        html_labels(Household.Hardship),
        html_labels(Household.Method),
    )
    unsigned = html_format('<span class="warn">{}</span>', _("未签约"))
    return [
        html_format(
            _REGISTER_ROW,
            url=address(household["pk"]),
            code=household["code"],
            head_name=household["head_name"],
            address=household["address"],
            use=uses.get(household["use"], household["use"]),
            area=decimal_text(household["area"]),
            hardship=hardships.get(household["hardship"], household["hardship"]),
            signed=household["signed_on"].isoformat() if household["signed_on"] else unsigned,
            method=methods.get(household["method"], household["method"]),
        )
        for household in households
    ]


@login_required
def household_create(request, pk):
    project = _project_for(request, pk)
    services.ensure_can_edit_project(request.user, project)
    if blocked := refused_page(request, "household.register", project=project):
        return blocked
    form = HouseholdForm(request.POST or None, instance=Household(project=project))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            household = services.create_household(project=project, by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _warn_about_id(request, household.id_number)
            messages.success(request, _("已登记被征收户 %(code)s。") % {"code": household.code})
            return redirect(household)
    return render(request, "projects/household_form.html", {"form": form, "project": project})


@login_required
def household_edit(request, pk):
    household = _household_for(request, pk)
    services.ensure_can_edit_project(request.user, household.project)
    frozen = services.frozen_fields(household)
    form = HouseholdForm(request.POST or None, instance=household)
    for name, reasons in frozen.items():
        # The reason stands by the field; the service refuses a changed value all the same.
        form.fields[name].help_text = " ".join(reasons)
        form.fields[name].widget.attrs["aria-describedby"] = "frozen-reasons"
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.update_household(household=household, by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _warn_about_id(request, household.id_number)
            messages.success(request, _("被征收户信息已保存。"))
            return redirect(household)
    return render(
        request,
        "projects/household_form.html",
        {
            "form": form,
            "project": household.project,
            "household": household,
            "frozen": {form.fields[name].label: reasons for name, reasons in frozen.items()},
        },
    )


def _refusal_reasons(user, action: str, *, household: Household) -> list[str]:
    """Why the page's control for `action` is not offered: nothing once a leader's override
    waits."""
    refusal = gate_refusal(user, action, project=household.project, household=household)
    return refusal.reasons if refusal else []


def _status_refusal(user, statuses: list[gates.Status], action: str, household: Household):
    """The 办理条件 panel shown in place of `action`'s control on the household page (None when
    the action may be taken), read from the page's `gates.statuses`."""
    status = next(status for status in statuses if status.action == action)
    return status_refusal(user, status, project=household.project, household=household)


@login_required
def household_detail(request, pk):
    household = _household_for(request, pk)
    history = core_history.for_household(household)
    decisions = list(household.compensation_decisions.order_by("-decided_on"))
    statuses = gates.statuses(project=household.project, household=household)
    return render(
        request,
        "projects/household_detail.html",
        {
            "household": household,
            "project": household.project,
            "members": household.members.all(),
            "documents": household.documents.select_related("uploaded_by"),
            "history": history,
            "sign_form": SignForm(),
            "member_form": FamilyMemberForm(),
            "document_form": DocumentForm(),
            "can_edit": _can_edit(request.user, household.project),
            "id_warnings": resident_id_warnings(household.id_number),
            "decisions": decisions,
            "open_decision": any(d.closed_on is None for d in decisions),
            "gate_statuses": statuses,
            "gate_rows": gate_rows(
                request, statuses, project=household.project, household=household
            ),
            # The page's gated controls read the table's own statuses, so a control and the
            # 办理条件 table never disagree and no further query is made.
            "sign_refusal": _status_refusal(request.user, statuses, "household.sign", household),
            "decision_refusal": _status_refusal(
                request.user, statuses, "decision.record", household
            ),
            "household_state": gates.household_state(household),
            "document_delete_blockers": _refusal_reasons(
                request.user, "document.delete", household=household
            ),
        },
    )


@login_required
@require_POST
def household_sign(request, pk):
    household = _household_for(request, pk)
    refused = refused_page(
        request, "household.sign", project=household.project, household=household
    )
    if refused:
        return refused
    form = SignForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(household)
    try:
        services.sign_household(household=household, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已登记签约。"))
    return redirect(household)


@login_required
@require_POST
def member_add(request, pk):
    household = _household_for(request, pk)
    form = FamilyMemberForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(household)
    try:
        services.add_family_member(household=household, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已添加家庭成员。"))
    return redirect(household)


@login_required
@require_POST
def document_upload(request, pk):
    household = _household_for(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(household)
    try:
        services.add_household_document(household=household, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("档案文件已上传。"))
    return redirect(household)


@login_required
@require_POST
def document_delete(request, pk):
    document = get_visible_or_404(
        HouseholdDocument.objects.select_related("household"), request.user, pk=pk
    )
    household = document.household
    try:
        services.delete_household_document(document=document, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已删除档案文件「%(title)s」。") % {"title": document.title})
    return redirect(household)


@login_required
def document_download(request, pk):
    document = get_visible_or_404(HouseholdDocument, request.user, pk=pk)
    return download(document.file)


urlpatterns = [
    path("projects/<int:pk>/households/", household_list, name="household_list"),
    path("projects/<int:pk>/households/new/", household_create, name="household_create"),
    path("households/<int:pk>/", household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", household_edit, name="household_edit"),
    path("households/<int:pk>/sign/", household_sign, name="household_sign"),
    path("households/<int:pk>/members/", member_add, name="member_add"),
    path("households/<int:pk>/documents/", document_upload, name="document_upload"),
    path("documents/<int:pk>/", document_download, name="document_download"),
    path("documents/<int:pk>/delete/", document_delete, name="document_delete"),
]
