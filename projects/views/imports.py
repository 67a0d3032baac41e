"""The household survey import (upload → preview → confirm), its template, and the .xlsx
exports of households and projects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.http import paginate, report_validation_error
from core.models import District
from core.scoping import get_visible_or_404, visible_to
from core.sheet_import import rows_with_errors
from core.spreadsheets import XLSX_CONTENT_TYPE
from projects import exports, gates, imports
from projects.forms.households import HouseholdFilterForm
from projects.forms.imports import HouseholdImportForm
from projects.forms.projects import ProjectFilterForm
from projects.models import HouseholdImport, Project
from projects.services import ensure_can_edit_project
from projects.views.households import register_households

# The preview shows this many rows a page; every row was checked at the upload.
PREVIEW_ROWS = 100


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _project_for(request, pk):
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


def _import_for(request, pk):
    # The kept rows can be many: the services read what they need of them in the database.
    return get_visible_or_404(
        HouseholdImport.objects.select_related("project__district", "uploaded_by").defer("records"),
        request.user,
        pk=pk,
    )


def _may_edit(user, project) -> bool:
    try:
        ensure_can_edit_project(user, project)
    except PermissionDenied:
        return False
    return True


def _import_blockers(project) -> list[str]:
    """Why no survey file can be imported into the project now (nothing once a leader's
    override waits)."""
    if gates.override_waiting("household.import", project):
        return []
    return gates.blockers("household.import", project=project)


@login_required
@require_GET
def household_template(request, pk):
    project = _project_for(request, pk)
    return _xlsx(
        imports.build_household_template(),
        _("被征收户调查登记表模板-%(code)s.xlsx") % {"code": project.code},
    )


@login_required
def import_create(request, pk):
    project = _project_for(request, pk)
    ensure_can_edit_project(request.user, project)
    form = HouseholdImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = imports.upload_household_file(
                project=project, by=request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            # The import's page says what the check found; no message repeats it.
            return redirect(record)
    recent = visible_to(HouseholdImport, request.user).filter(project=project)
    return render(
        request,
        "projects/householdimport_form.html",
        {
            "project": project,
            "form": form,
            "recent": recent.select_related("uploaded_by").defer("records", "warnings")[:10],
            "columns": imports.COLUMNS,
            "max_rows": imports.MAX_ROWS,
            "import_blockers": _import_blockers(project),
        },
    )


@login_required
@require_GET
def import_detail(request, pk):
    record = _import_for(request, pk)
    preview = page = None
    unreadable = False
    if record.status == HouseholdImport.Status.VALIDATED:
        # A page of the kept rows (?page=N): only those rows are read from the database.
        page = paginate(request, range(record.row_count), per_page=PREVIEW_ROWS)
        try:
            preview = imports.preview_household_import(
                household_import=record,
                limit=len(page.object_list),
                offset=max(page.start_index() - 1, 0),
            )
        except (OSError, ValidationError):
            unreadable = True
    if preview is not None and preview.errors:
        errors = preview.errors
    elif record.status == HouseholdImport.Status.FAILED:
        errors = record.errors
    else:
        errors = []
    # A file can have thousands of errors: PREVIEW_ROWS of them a page (?page=N; the kept
    # rows are not shown while there are errors, so the two never share the page number).
    error_page = paginate(request, errors, per_page=PREVIEW_ROWS) if errors else None
    can_edit = _may_edit(request.user, record.project)
    blockers = _import_blockers(record.project)
    return render(
        request,
        "projects/householdimport_detail.html",
        {
            "record": record,
            "project": record.project,
            "preview": preview,
            "preview_rows": [
                imports.household_from(row, record.project)
                for row in (preview.records if preview else [])
            ],
            "page": page,
            "errors": errors,
            "error_page": error_page,
            "error_rows": rows_with_errors(errors),
            "changed_since_upload": bool(preview and preview.errors),
            # Refused when confirmed (a 户号 registered since the upload, the file gone): the
            # file's own check had passed.
            "failed_on_confirmation": record.status == HouseholdImport.Status.FAILED
            and record.confirmed_by_id is not None,
            "unreadable": unreadable,
            "can_confirm": bool(can_edit and preview and preview.is_valid) and not blockers,
            "import_blockers": blockers,
            "progress": _progress(record),
        },
    )


def _progress(record: HouseholdImport) -> dict | None:
    """How far the job saving a large import has got: {"saved", "total", "percent"}, or None
    when the import is not being saved by a job."""
    if record.status != HouseholdImport.Status.IMPORTING:
        return None
    saved = imports.job_progress(record)
    total = record.row_count or 1
    return {"saved": saved, "total": record.row_count, "percent": min(100, saved * 100 // total)}


@login_required
@require_GET
def import_progress(request, pk):
    """The progress partial htmx polls every second while a job saves the import; once the
    job has finished, the page is reloaded to show the result."""
    record = get_visible_or_404(
        HouseholdImport.objects.defer("records", "warnings"), request.user, pk=pk
    )
    if record.status != HouseholdImport.Status.IMPORTING:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "projects/_householdimport_progress.html",
        {"record": record, "progress": _progress(record)},
    )


@login_required
@require_POST
def import_confirm(request, pk):
    record = _import_for(request, pk)
    try:
        result = imports.confirm_household_import(household_import=record, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        if result.is_valid:
            # A large file's job may have run already (in-process, without a broker).
            record.refresh_from_db(fields=["status", "row_count"])
            if record.status == HouseholdImport.Status.IMPORTED:
                messages.success(
                    request, _("已导入%(count)s户被征收户。") % {"count": record.row_count}
                )
            elif record.status == HouseholdImport.Status.IMPORTING:
                messages.info(
                    request,
                    _("正在导入%(count)s户被征收户，本页显示进度，完成后自动刷新。")
                    % {"count": record.row_count},
                )
        # Otherwise the import's page lists the errors found on this second check.
    return redirect(record)


@login_required
@require_GET
def household_export(request, pk):
    """The project's households, searched and filtered as the register page lists them."""
    project = _project_for(request, pk)
    form = HouseholdFilterForm(request.GET or None)
    households = register_households(project.pk, form)
    return _xlsx(
        exports.export_households(households=households),
        exports.household_export_filename(project),
    )


@login_required
@require_GET
def project_export(request):
    """The projects the user can see, filtered as the project list page filters them."""
    districts = visible_to(District.objects.active(), request.user)
    form = ProjectFilterForm(request.GET or None, districts=districts)
    projects = form.filter(visible_to(Project, request.user))
    return _xlsx(exports.export_projects(projects=projects), exports.project_export_filename())


urlpatterns = [
    path(
        "projects/<int:pk>/households/template/",
        household_template,
        name="household_template",
    ),
    path("projects/<int:pk>/households/export/", household_export, name="household_export"),
    path("projects/<int:pk>/imports/new/", import_create, name="import_create"),
    path("projects/export/", project_export, name="project_export"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", import_confirm, name="import_confirm"),
    path("imports/<int:pk>/progress/", import_progress, name="import_progress"),
]
