"""Stock pages (安置房源): estates → buildings → flats, prices, voiding, freezing for a project,
the stock dashboard and the .xlsx exports. Every read goes through core.scoping, so a district
user sees its own district's estates and another district's estate or flat is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import history as core_history
from core import permissions
from core.formatting import cn_date
from core.http import (
    add_service_error,
    error_messages,
    paginate,
    report_form_errors,
    report_validation_error,
)
from core.models import District
from core.scoping import get_visible_or_404, visible_to
from core.sheet_import import describe_problem, rows_with_errors
from core.spreadsheets import XLSX_CONTENT_TYPE
from projects.models import CompensationPlan, Project
from resettlement import charts, exports, imports, stock
from resettlement.models import Building, Estate, Flat, StockImport, SwapTerms
from resettlement.stock_forms import (
    FREEZABLE_STAGES,
    BuildingForm,
    EstateForm,
    FlatFilterForm,
    FreezeForm,
    PriceForm,
    StockImportForm,
    SwapTermsForm,
    TierFormSet,
    VoidForm,
)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _may_edit(user) -> bool:
    return permissions.allowed(user, "resettlement.edit_stock")


def _stamp() -> str:
    return f"{timezone.localdate():%Y%m%d}"


# ---------------------------------------------------------------------------
# Estates and buildings


def _estates(user):
    return stock.annotate_state_counts(
        visible_to(Estate, user).select_related("district"), "buildings__flats"
    )


@login_required
@require_GET
def estate_list(request):
    estates = _estates(request.user)
    flats = visible_to(Flat, request.user)
    return render(
        request,
        "resettlement/stock/estate_list.html",
        {
            "estates": estates,
            "totals": stock.state_counts(flats),
            "state_headers": stock.state_headers(),
            "can_edit": _may_edit(request.user),
        },
    )


def _district_choices(user):
    return visible_to(District.objects.active(), user)


@login_required
def estate_edit(request, pk=None):
    estate = get_visible_or_404(Estate, request.user, pk=pk) if pk else Estate()
    try:
        stock.ensure_may_edit_stock(request.user)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
        if estate.pk:
            return redirect("resettlement:estate_detail", estate.pk)
        return redirect("resettlement:estate_list")
    form = EstateForm(
        request.POST or None, instance=estate, districts=_district_choices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            estate = stock.save_estate(estate=form.save(commit=False), by=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存安置小区“%(name)s”。") % {"name": estate.name})
            return redirect("resettlement:estate_detail", estate.pk)
    return render(request, "resettlement/stock/estate_form.html", {"form": form, "estate": estate})


@login_required
@require_GET
def estate_detail(request, pk):
    estate = get_visible_or_404(Estate.objects.select_related("district"), request.user, pk=pk)
    buildings = stock.annotate_state_counts(estate.buildings.all(), "flats")
    return render(
        request,
        "resettlement/stock/estate_detail.html",
        {
            "estate": estate,
            "buildings": buildings,
            "state_headers": stock.state_headers(),
            "totals": stock.state_counts(Flat.objects.filter(building__estate=estate)),
            "can_edit": _may_edit(request.user),
            "history": core_history.for_object(estate),
        },
    )


@login_required
def building_edit(request, estate_pk=None, pk=None):
    if pk:
        building = get_visible_or_404(
            Building.objects.select_related("estate"), request.user, pk=pk
        )
        estate = building.estate
    else:
        estate = get_visible_or_404(Estate, request.user, pk=estate_pk)
        building = Building(estate=estate)
    try:
        stock.ensure_may_edit_stock(request.user)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
        return redirect("resettlement:estate_detail", estate.pk)
    form = BuildingForm(request.POST or None, instance=building)
    if request.method == "POST" and form.is_valid():
        try:
            building = stock.save_building(building=form.save(commit=False), by=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存楼栋“%(name)s”。") % {"name": building})
            return redirect("resettlement:estate_detail", estate.pk)
    return render(
        request,
        "resettlement/stock/building_form.html",
        {"form": form, "estate": estate, "building": building},
    )


# ---------------------------------------------------------------------------
# Flats


def _filter_form(request, data):
    user = request.user
    return FlatFilterForm(
        data or None,
        estates=visible_to(Estate, user),
        buildings=visible_to(Building, user),
        projects=visible_to(Project, user).order_by("-code"),
    )


def _filtered_flats(request, data):
    form = _filter_form(request, data)
    flats = form.filter(visible_to(Flat, request.user))
    return form, flats.select_related("building__estate", "project")


def _freeze_projects(user):
    return visible_to(Project, user).filter(stage__in=FREEZABLE_STAGES).order_by("-code")


@login_required
@require_GET
def flat_list(request):
    form, flats = _filtered_flats(request, request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    may_freeze = permissions.allowed(request.user, "resettlement.freeze_flats")
    return render(
        request,
        "resettlement/stock/flat_list.html",
        {
            "form": form,
            "page": paginate(request, flats, per_page=50),
            "counts": stock.state_counts(flats),
            "query": query.urlencode(),
            "freeze_form": FreezeForm(projects=_freeze_projects(request.user))
            if may_freeze
            else None,
        },
    )


@login_required
@require_POST
def flat_freeze(request):
    """Freeze or unfreeze the flats the list's filter (in the query string) shows."""
    form, flats = _filtered_flats(request, request.GET)
    back = redirect(f"{reverse('resettlement:flat_list')}?{request.GET.urlencode()}")
    freeze_form = FreezeForm(request.POST, projects=_freeze_projects(request.user))
    if not freeze_form.is_valid():
        messages.error(request, _("请选择项目和操作。"))
        return back
    if not form.is_narrowed:
        messages.error(request, _("请先按楼栋或条件筛选出要办理的房源，再冻结或解冻。"))
        return back
    project = freeze_form.cleaned_data["project"]
    operation = freeze_form.cleaned_data["operation"]
    service = stock.freeze_flats if operation == "freeze" else stock.unfreeze_flats
    try:
        count = service(project=project, flats=flats, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        if operation == "freeze":
            text = _("已为“%(project)s”冻结%(count)s套房源。")
        else:
            text = _("已解冻“%(project)s”的%(count)s套房源。")
        messages.success(request, text % {"project": project.name, "count": count})
    return back


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@login_required
def project_freeze(request, project_pk):
    """A leader's per-flat freezing for one project: the chosen estate's flats by building and
    floor, each free flat with a checkbox (and 整栋全选 per building), and the project's frozen,
    not yet chosen flats to release (释放). Both all or nothing through resettlement.stock."""
    project = get_visible_or_404(Project, request.user, pk=project_pk)
    if not permissions.allowed(request.user, "resettlement.freeze_flats", project):
        messages.error(request, permissions.refusal(request.user, "resettlement.freeze_flats"))
        return redirect("resettlement:stock_dashboard")
    estates = visible_to(Estate, request.user).order_by("name")
    estate = estates.filter(pk=request.GET.get("estate") or 0).first() or estates.first()
    here = reverse("resettlement:project_freeze", args=[project.pk])
    if estate:
        here += f"?estate={estate.pk}"
    flats = visible_to(Flat, request.user)
    if request.method == "POST":
        operation = request.POST.get("operation")
        ids = _ids(request.POST.getlist("flats"))
        buildings = _ids(request.POST.getlist("buildings"))
        if operation == "freeze":
            chosen = flats.filter(
                Q(pk__in=ids)
                | Q(building__in=buildings, state=Flat.State.FREE, kind=Flat.Kind.RESETTLEMENT)
            )
            service, done = stock.freeze_flats, _("已为“%(project)s”冻结%(count)s套房源。")
            nothing = _("请勾选要冻结的房源。")
        elif operation == "unfreeze":
            chosen = flats.filter(
                Q(pk__in=ids) | Q(building__in=buildings, project=project, state=Flat.State.FROZEN)
            )
            service, done = stock.unfreeze_flats, _("已释放“%(project)s”的%(count)s套房源。")
            nothing = _("请勾选要释放的房源。")
        else:
            return redirect(here)
        if not ids and not buildings:
            messages.error(request, nothing)
            return redirect(here)
        try:
            count = service(project=project, flats=chosen, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            for message in error_messages(error):
                messages.error(request, message)
        else:
            messages.success(request, done % {"project": project.name, "count": count})
        return redirect(here)
    reserved = Flat.objects.filter(project=project, state__in=stock.OFFERED_STATES)
    return render(
        request,
        "resettlement/stock/project_freeze.html",
        {
            "project": project,
            "estates": estates,
            "estate": estate,
            "groups": stock.by_building_and_floor(flats.filter(building__estate=estate))
            if estate
            else [],
            "reserved_groups": stock.by_building_and_floor(reserved),
            "reserved": stock.state_counts(reserved),
        },
    )


def _flat_for(request, pk):
    return get_visible_or_404(
        Flat.objects.select_related("building__estate", "project", "frozen_by"),
        request.user,
        pk=pk,
    )


def _render_flat(request, flat, *, price_form=None, void_form=None, status=200):
    return render(
        request,
        "resettlement/stock/flat_detail.html",
        {
            "flat": flat,
            "prices": flat.prices.select_related("recorded_by"),
            "price_in_force": flat.price_on(timezone.localdate()),
            "price_form": price_form or PriceForm(prefix="price"),
            "void_form": void_form or VoidForm(prefix="void"),
            "can_edit": _may_edit(request.user),
            "can_void": flat.state in (Flat.State.FREE, Flat.State.FROZEN),
            "history": core_history.for_object(flat),
        },
        status=status,
    )


@login_required
@require_GET
def flat_detail(request, pk):
    return _render_flat(request, _flat_for(request, pk))


@login_required
@require_POST
def flat_price(request, pk):
    flat = _flat_for(request, pk)
    form = PriceForm(request.POST, prefix="price")
    if not form.is_valid():
        return _render_flat(request, flat, price_form=form, status=400)
    try:
        stock.record_price(flat=flat, by=request.user, **form.cleaned_data)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    except ValidationError as error:
        add_service_error(form, error)
        return _render_flat(request, flat, price_form=form, status=400)
    else:
        messages.success(request, _("已录入房源价格。"))
    return redirect("resettlement:flat_detail", flat.pk)


@login_required
@require_POST
def flat_void(request, pk):
    flat = _flat_for(request, pk)
    form = VoidForm(request.POST, prefix="void")
    if not form.is_valid():
        return _render_flat(request, flat, void_form=form, status=400)
    try:
        stock.void_flat(flat=flat, reason=form.cleaned_data["reason"], by=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("房源已作废。"))
    return redirect("resettlement:flat_detail", flat.pk)


# ---------------------------------------------------------------------------
# Dashboard and exports


@login_required
@require_GET
def dashboard(request):
    figures = stock.dashboard_figures(request.user)
    return render(
        request,
        "resettlement/stock/dashboard.html",
        {
            **figures,
            "chart": charts.selection_progress_svg(
                figures["projects"], title=_("各项目安置房源选房进度（套）")
            ),
        },
    )


@login_required
@require_GET
def flat_export(request):
    _form, flats = _filtered_flats(request, request.GET)
    return _xlsx(exports.export_flats(flats=flats), _("安置房源-%(day)s.xlsx") % {"day": _stamp()})


@login_required
@require_GET
def estate_export(request):
    return _xlsx(
        exports.export_estates(estates=_estates(request.user)),
        _("安置小区-%(day)s.xlsx") % {"day": _stamp()},
    )


@login_required
@require_GET
def dashboard_export(request):
    return _xlsx(
        exports.export_dashboard(figures=stock.dashboard_figures(request.user)),
        _("安置房源统计-%(day)s.xlsx") % {"day": _stamp()},
    )


# ---------------------------------------------------------------------------
# The stock list import (upload → preview → confirm)

# The preview shows this many rows; the rest are checked all the same.
PREVIEW_ROWS = 500


@login_required
@require_GET
def stock_template(request):
    return _xlsx(imports.build_stock_template(), _("安置房源清单模板.xlsx"))


@login_required
def stock_import_create(request):
    stock.ensure_may_edit_stock(request.user)
    form = StockImportForm(
        request.POST or None, request.FILES or None, districts=_district_choices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = imports.upload_stock_file(
                district=form.cleaned_data["district"],
                by=request.user,
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect(record)
    return render(
        request,
        "resettlement/stock/stockimport_form.html",
        {
            "form": form,
            "columns": imports.COLUMNS,
            "recent": visible_to(StockImport, request.user).select_related("uploaded_by")[:10],
        },
    )


def _import_for(request, pk):
    return get_visible_or_404(
        StockImport.objects.select_related("district", "uploaded_by"), request.user, pk=pk
    )


@login_required
@require_GET
def stock_import_detail(request, pk):
    record = _import_for(request, pk)
    preview = None
    unreadable = False
    if record.status == StockImport.Status.VALIDATED:
        try:
            preview = imports.preview_stock_import(stock_import=record)
        except (OSError, ValidationError):
            unreadable = True
    if preview is not None and preview.errors:
        errors = preview.errors
    elif record.status == StockImport.Status.FAILED:
        errors = record.errors
    else:
        errors = []
    return render(
        request,
        "resettlement/stock/stockimport_detail.html",
        {
            "record": record,
            "preview": preview,
            "preview_rows": preview.rows[:PREVIEW_ROWS] if preview else [],
            "preview_limit": PREVIEW_ROWS,
            "errors": [{**e, "text": describe_problem(e)} for e in errors],
            "error_rows": rows_with_errors(errors),
            "unreadable": unreadable,
            "can_confirm": bool(_may_edit(request.user) and preview and preview.is_valid),
        },
    )


@login_required
@require_POST
def stock_import_confirm(request, pk):
    record = _import_for(request, pk)
    try:
        result = imports.confirm_stock_import(stock_import=record, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        if result.is_valid:
            messages.success(request, _("已导入%(count)s套房源。") % {"count": result.row_count})
    return redirect(record)


# ---------------------------------------------------------------------------
# The plan's swap selection rules


@login_required
def swap_terms_edit(request, plan_pk):
    plan = get_visible_or_404(
        CompensationPlan.objects.select_related("project__district"), request.user, pk=plan_pk
    )
    refusal = stock.swap_terms_refusal(request.user, plan)
    if refusal:
        messages.error(request, refusal)
        return redirect(plan)
    terms = SwapTerms.objects.filter(plan=plan).first()
    initial_tiers = [
        {"width": t.width, "unit_price": t.unit_price, "market_percent": t.market_percent}
        for t in (terms.tiers.all() if terms else [])
    ]
    form = SwapTermsForm(request.POST or None, instance=terms or SwapTerms(plan=plan))
    if request.method == "POST":
        tiers = TierFormSet(request.POST, prefix="tier")
    else:
        tiers = TierFormSet(initial=initial_tiers, prefix="tier")
    if request.method == "POST" and form.is_valid() and tiers.is_valid():
        rows = [
            {k: v for k, v in tier.items() if k in ("width", "unit_price", "market_percent")}
            for tier in tiers.cleaned_data
            if tier.get("width") is not None
        ]
        try:
            stock.save_swap_terms(
                plan=plan,
                by=request.user,
                terms={name: form.cleaned_data[name] for name in SwapTermsForm.Meta.fields},
                tiers=rows,
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as refused:
            messages.error(request, str(refused))
            return redirect(plan)
        else:
            messages.success(request, _("产权调换选房规则已保存。"))
            return redirect(plan)
    return render(
        request,
        "resettlement/stock/swapterms_form.html",
        {"plan": plan, "form": form, "tiers": tiers},
    )


@login_required
@require_POST
def swap_window_extend(request, plan_pk):
    """选房期限延长: a leader extends the approved plan's selection window, with a reason."""
    from resettlement import selection as selection_services
    from resettlement.stock_forms import WindowExtensionForm

    plan = get_visible_or_404(
        CompensationPlan.objects.select_related("project__district"), request.user, pk=plan_pk
    )
    form = WindowExtensionForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(plan)
    try:
        extension = selection_services.extend_window(
            plan=plan, by=request.user, **form.cleaned_data
        )
    except (ValidationError, PermissionDenied) as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request,
            _("选房期限已延长至%(day)s。") % {"day": cn_date(extension.closes_on)},
        )
    return redirect(plan)
