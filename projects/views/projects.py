import functools
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Count, F, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions, signoffs
from core.compiled import CompiledRows, CompiledValues, field_names, instance
from core.formatting import decimal_text
from core.forms import ReturnForm
from core.http import (
    address_by_pk,
    bound_data,
    download,
    form_page,
    paginate,
    report_form_errors,
    report_validation_error,
)
from core.labels import label
from core.lookups import contains_pattern
from core.markup import html_format
from core.models import District, User
from core.rows import Row, count_all
from core.scoping import get_visible_or_404, scope, scoped, visible_row, visible_to
from projects import facts, figures, gates, legal, services, stages
from projects.forms.legal import RiskAssessmentForm
from projects.forms.projects import (
    AdvanceStageForm,
    ApprovalForm,
    ProjectFilterForm,
    ProjectForm,
    ProjectStaffingForm,
)
from projects.models import (
    Approval,
    CompensationPlan,
    GateOverride,
    Notice,
    Project,
    RiskAssessment,
    Stage,
    StageChange,
    SuspensionNotice,
)
from projects.views.gates import gate_rows, refused_page, status_refusal


def _project_for(request, pk):
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


@login_required
def project_list(request):
    districts = visible_to(District.objects.active(), request.user)
    form = ProjectFilterForm(request.GET or None, districts=districts)
    district = scope(request.user)
    if district is None:  # sees no project
        page = paginate(request, [])
    else:
        # The district filter's options by a query written once (its ModelChoiceField would
        # have the ORM write its queryset's on every request); the queryset still validates.
        field = form.fields["district"]
        field.choices = [
            ("", field.empty_label),
            *((row["pk"], row["name"]) for row in _filter_districts(*district)),
        ]
        parameters, filters = _list_filters(form)
        parameters = (*parameters, *district)
        count = _project_list_count(*parameters, **filters)[0]["count"]
        read = functools.partial(_project_list_rows, *parameters, **filters)
        make = functools.partial(_project_row, address_by_pk("projects:project_detail"))
        page = paginate(request, CompiledRows(count, read, make), count=count)
    _add_household_totals(page.object_list)
    _add_html(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {"form": form, "page": page, "rows": page.object_list, "query": query.urlencode()},
    )


def _list_filters(form: ProjectFilterForm) -> tuple[list, dict]:
    """ProjectFilterForm.filter's filters as the parameters and shape of the list's queries
    (`_filtered_projects`); invalid input filters nothing."""
    if not form.is_valid():
        return [], {}
    data = form.cleaned_data
    parameters, filters = [], {}
    if data["q"]:
        parameters.append(contains_pattern(data["q"]))
        filters["search"] = True
    for name in ("district", "stage", "kind"):
        if data[name]:
            parameters.append(data[name].pk if name == "district" else data[name])
            filters[name] = True
    if data["year"]:  # ProjectQuerySet.in_progress_in
        parameters += [date(data["year"], 1, 1), date(data["year"], 12, 31)]
        filters["year"] = True
    if data["is_key"]:
        filters["is_key"] = True
    return parameters, filters


def _filtered_projects(parameters: tuple, **filters):
    """The projects ProjectFilterForm.filter finds, scoped (core.scoping.scoped): `parameters`
    are those of `_list_filters` in its order, then the district scope's."""
    values = iter(parameters)
    projects = Project.objects.all()
    if filters.get("search"):
        pattern = next(values)
        projects = projects.filter(Q(name__ilike=pattern) | Q(code__ilike=pattern))
    for name in ("district_id", "stage", "kind"):
        if filters.get(name.removesuffix("_id")):
            projects = projects.filter(**{name: next(values)})
    if filters.get("year"):
        first_day, last_day = next(values), next(values)
        projects = projects.in_progress_between(first_day, last_day)
    if filters.get("is_key"):
        projects = projects.filter(is_key=True)
    return scoped(projects, tuple(values))


# The list's queries, written by the ORM once per process and shape of filters (core.compiled).
@CompiledValues
def _filter_districts(*district):
    # As visible_to(District.objects.active(), user), in District's order.
    return scoped(District.objects.active(), district).values("pk", "name")


@CompiledValues
def _project_list_count(*parameters, **filters):
    return _filtered_projects(parameters, **filters).order_by().values(count=count_all())


@CompiledValues
def _project_list_rows(*parameters, **filters):
    projects = _filtered_projects(parameters, **filters)
    # Projects not started yet first, as PostgreSQL sorts NULL in a descending order.
    projects = projects.order_by(F("started_on").desc(nulls_first=True), "-pk")
    return projects.values(
        "pk", "code", "name", "is_key", "kind", "stage", "started_on", "district__name"
    )


def _project_row(address, row: dict) -> Row:
    """The list's cells of one project (labels from one dictionary, the link from `address`,
    core.http.address_by_pk); `_add_household_totals` adds its households'."""
    return Row(
        pk=row["pk"],
        code=row["code"],
        url=address(row["pk"]),
        name=row["name"],
        is_key=row["is_key"],
        district=row["district__name"],
        kind=label(Project.Kind, row["kind"]),
        stage=row["stage"],
        stage_label=label(Stage, row["stage"]),
        started_on=row["started_on"].isoformat() if row["started_on"] else "—",
    )


def _add_household_totals(rows: list[Row]) -> None:
    """Set `household_count`, `signed_count` and `household_area` (m², None without
    households) on each row of the page, and their cells: one query for the
    page (figures.household_totals), where sums in the page's own query would also be worked out
    for every row before its OFFSET."""
    totals = figures.household_totals([row["pk"] for row in rows])
    for row in rows:
        sums = totals.get(row["pk"], {})
        row["household_count"] = sums.get("household_count", 0)
        row["signed_count"] = sums.get("signed_count", 0)
        row["household_area"] = sums.get("household_area")  # None without households
        row["households"] = intcomma(row["household_count"])
        row["area"] = decimal_text(row["household_area"] or 0)
        row["signed"] = intcomma(row["signed_count"])


# One row of the list's table (project_list.html's <tbody>), written in Python (core.markup:
# every value escaped unless marked safe), as the template wrote it: a template spends about
# 0.1 ms of CPU on a row of ten variables.
_PROJECT_ROW = (
    "<tr>\n"
    "      <td>{code}</td>\n"
    '      <td><a href="{url}">{name}</a>{key}</td>\n'
    "      <td>{district}</td>\n"
    "      <td>{kind}</td>\n"
    '      <td><span class="badge stage-{stage}">{stage_label}</span></td>\n'
    "      <td>{started_on}</td>\n"
    '      <td class="num">{households}</td>\n'
    '      <td class="num">{area}</td>\n'
    '      <td class="num">{signed}</td>\n'
    "    </tr>"
)


def _add_html(rows: list[Row]) -> None:
    """Set each row's `html`, its <tr> (_PROJECT_ROW)."""
    key = html_format(' <span class="badge key">{}</span>', _("重点"))
    for row in rows:
        row["html"] = html_format(
            _PROJECT_ROW,
            key=key if row["is_key"] else "",
            **{name: row[name] for name in _CELLS},
        )


_CELLS = (
    "code",
    "url",
    "name",
    "district",
    "kind",
    "stage",
    "stage_label",
    "started_on",
    "households",
    "area",
    "signed",
)


@login_required
def project_create(request):
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("项目已登记。"))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
def project_edit(request, pk):
    project = _project_for(request, pk)
    services.ensure_can_edit_project(request.user, project)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("项目信息已保存。"))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


# The project page's lists of one project, written by the ORM once per process (core.compiled:
# building and compiling each queryset cost more CPU than PostgreSQL spent answering it), with
# the user each names, made into the instances select_related gives (`_with_user`).
@CompiledValues
def _approvals(project_id: int):
    # Unordered: the page shows them in Approval.Kind's order (Meta.ordering joins the project).
    names = [*field_names(Approval), *field_names(User, "verified_by__")]
    return Approval.objects.filter(project_id=project_id).order_by().values(*names)


@CompiledValues
def _stage_changes(project_id: int):
    names = [*field_names(StageChange), *field_names(User, "changed_by__")]
    return StageChange.objects.filter(project_id=project_id).values(*names)


@CompiledValues
def _gate_overrides(project_id: int):
    names = [*field_names(GateOverride), *field_names(User, "by__")]
    return GateOverride.objects.filter(project_id=project_id).values(*names)


@CompiledValues
def _latest_risk(project_id: int):
    risks = RiskAssessment.objects.filter(project_id=project_id).order_by("-assessed_on", "-pk")
    return risks.values(*field_names(RiskAssessment))[:1]


@CompiledValues
def _suspensions(project_id: int):
    suspensions = SuspensionNotice.objects.filter(project_id=project_id).order_by("-issued_on")
    return suspensions.values(*field_names(SuspensionNotice))


@CompiledValues
def _page_project_rows(pk: int):
    # Read unscoped, checked with core.scoping.sees_district (_page_project).
    return Project.objects.filter(pk=pk).values(
        *field_names(Project),
        *field_names(District, "district__"),
        *field_names(User, "liaison__"),
        *field_names(User, "leader__"),
    )


@CompiledValues
def _plans(project_id: int):
    # Newest version first, as Meta.ordering gives within one project, without its join to
    # the project for ordering by "project" (a third of the query's cost).
    plans = CompensationPlan.objects.filter(project_id=project_id).order_by("-version")
    return plans.values(*field_names(CompensationPlan))


# A notice's text is not read on the project page.
_NOTICE_FIELDS = [
    name for name in field_names(Notice) if name not in {"body", "period_explanation"}
]


@CompiledValues
def _notices(project_id: int):
    # The order is explicit: a query with an aggregate (GROUP BY) ignores Meta.ordering.
    # Drafts (no date) first, as PostgreSQL sorts NULL in a descending order; SQLite would put
    # them last.
    return (
        Notice.objects.filter(project_id=project_id)
        .annotate(objection_count=Count("objections"))
        .order_by(F("published_on").desc(nulls_first=True), "-pk")
        .values(*_NOTICE_FIELDS, "objection_count")
    )


def _prefetch(project: Project, relation: str, model, rows: list[dict], annotations=()) -> None:
    """Fill `project.<relation>.all()` with `rows` of `model` (from a query written once), as
    prefetch_related_objects would: the rows' fields (others deferred) and `annotations` set
    on each instance, in the rows' order."""
    alias = router.db_for_read(model)
    objects = []
    for row in rows:
        names = [name for name in row if name not in annotations]
        loaded = model.from_db(alias, names, [row[name] for name in names])
        for name in annotations:
            setattr(loaded, name, row[name])
        objects.append(loaded)
    queryset = getattr(project, relation).all()  # a queryset built, not run
    queryset._result_cache = objects
    queryset._prefetch_done = True
    project._prefetched_objects_cache = getattr(project, "_prefetched_objects_cache", {})
    project._prefetched_objects_cache[relation] = queryset


def _page_project(user, pk: int) -> Project:
    """Project `pk` with its district, liaison and leader (as select_related gives them), read
    by SQL written once; Http404 unless `user` may read it (visible_to's rule)."""
    row = visible_row(user, _page_project_rows(pk))
    project = _with_user(Project, row, "liaison")
    project.district = instance(District, row, "district__")
    project.leader = instance(User, row, "leader__") if row["leader__id"] else None
    return project


def _with_user(model, row: dict, relation: str):
    """The `model` of `row` with its user `relation` set (None where the row has none), as
    select_related(relation) gives it."""
    loaded = instance(model, row)
    prefix = f"{relation}__"
    setattr(loaded, relation, instance(User, row, prefix) if row[f"{prefix}id"] else None)
    return loaded


@login_required
def project_detail(request, pk):
    """The project page. Its queries do not grow with the project's households, notices or
    overrides: the gates ask each check once, the overrides are read once, and the plans and
    notices once (prefetched: the gates' checks of plans and notices read those)."""
    project = _page_project(request.user, pk)
    _prefetch(project, "plans", CompensationPlan, _plans(project.pk))
    _prefetch(project, "notices", Notice, _notices(project.pk), annotations=("objection_count",))
    today = timezone.localdate()
    # One query for the page's figures and every fact the gates' and stages' checks ask.
    known = facts.read_all(project)
    households = {
        "count": known["households"],
        "total_area": known["households_area"],
        "signed": known["households_signed"],
        "signed_area": known["households_signed_area"],
    }
    approvals = [_with_user(Approval, row, "verified_by") for row in _approvals(project.pk)]
    approvals = {approval.kind: approval for approval in approvals}
    states = signoffs.signoffs_for(approvals.values())
    for approval in approvals.values():
        approval.signoff = states.get(approval.pk)
        approval.can_verify = permissions.allowed(
            request.user, "projects.verify_approval", approval.signoff
        )
    changes = [_with_user(StageChange, row, "changed_by") for row in _stage_changes(project.pk)]
    reached = {change.to_stage: change for change in changes}
    timeline = [
        {
            "stage": stage,
            "change": reached.get(stage),
            "is_current": stage == project.stage,
            "is_done": stage.position < project.stage_enum.position,
        }
        for stage in Stage
    ]
    overrides = [_with_user(GateOverride, row, "by") for row in _gate_overrides(project.pk)]
    gate_statuses = gates.statuses(project=project, today=today, overrides=overrides)
    plans = project.plans.all()  # newest version first
    all_notices = project.notices.all()  # newest first, drafts (no date) before them
    can_edit = request.user.is_office_staff or request.user.district_id == project.district_id
    risk_refusal, approval_refusal, import_refusal = (
        status_refusal(
            request.user,
            next(status for status in gate_statuses if status.action == action),
            project=project,
        )
        for action in ("risk.record", "approval.record", "household.import")
    )
    # Each form is built only for a user the page shows it to (the template's conditions).
    context = {
        "project": project,
        "gate_statuses": gate_statuses,
        "gate_rows": gate_rows(request, gate_statuses, project=project),
        "gate_overrides": overrides,
        "households": households,
        "approvals": [(kind, approvals.get(kind)) for kind in Approval.Kind],
        "timeline": timeline,
        "changes": changes,
        "missing": stages.missing_to_leave(project, today),
        "next_stage": project.stage_enum.next,
        "notices": all_notices[:5],
        "current_plan": plans[0] if plans else None,
        "approved_plan": stages.approved_plan(project),
        "can_edit": can_edit,
        "risk": next((instance(RiskAssessment, row) for row in _latest_risk(project.pk)), None),
        "risk_form": RiskAssessmentForm() if can_edit and risk_refusal is None else None,
        "risk_refusal": risk_refusal,
        "approval_refusal": approval_refusal,
        "import_refusal": import_refusal,
        "suspensions": [instance(SuspensionNotice, row) for row in _suspensions(project.pk)],
        # 一榜 before 二榜: the lists in the order they were published (oldest first).
        "list_notices": [
            notice
            for notice in reversed(all_notices)
            if notice.kind in legal.OBJECTION_NOTICE_KINDS and notice.is_published
        ],
        "decisions": {
            "open": known["compensation_decisions_open"],
            "total": known["compensation_decisions"],
        },
        "hazards": {"total": known["hazards"], "open": known["hazards_open"]},
    }
    return render(request, "projects/project_detail.html", context)


@login_required
def project_staffing(request, pk):
    """The office names the project's liaison and leader on a page of their own, reached from
    the project page's 项目概况 panel; back to the project page once saved."""
    project = _project_for(request, pk)
    services.ensure_office_staff(request.user)
    form = ProjectStaffingForm(*bound_data(request), instance=project)
    if request.method == "POST":
        if form.is_valid():
            services.update_project(project=project, by=request.user, **form.cleaned_data)
            messages.success(request, _("项目联系人和负责领导已保存。"))
            return redirect(project)
        messages.error(request, _("请选择有效的联系人和领导。"))
    context = {"project": project, "form": form, "title": _("指定联系人和负责领导")}
    return render(request, "projects/project_side_form.html", context)


@login_required
@require_POST
def project_advance(request, pk):
    project = _project_for(request, pk)
    form = AdvanceStageForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        stage = services.advance_stage(project=project, by=request.user, note=note)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("项目已进入“%(stage)s”阶段。") % {"stage": stage.label})
    return redirect(project)


@login_required
def approval_record(request, pk):
    """The district (or the office) files one of the project's approvals on a page of its own,
    reached from the project page's 审批手续 panel; back to the project page once saved."""
    project = _project_for(request, pk)
    services.ensure_can_edit_project(request.user, project)
    if refused := refused_page(request, "approval.record", project=project):
        return refused

    def page(form):
        context = {"project": project, "form": form, "title": _("上传或更新审批手续")}
        return render(request, "projects/project_side_form.html", {**context, "upload": True})

    return form_page(
        request,
        ApprovalForm(*bound_data(request)),
        services.record_approval,
        page=page,
        redirect_to=project,
        success=_("审批手续已上传，等待市征收办核查。"),
        project=project,
    )


@login_required
@require_POST
def approval_verify(request, pk):
    approval = get_visible_or_404(Approval.objects.select_related("project"), request.user, pk=pk)
    try:
        services.verify_approval(approval=approval, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已核查：%(approval)s。") % {"approval": approval})
    return redirect(approval.project)


@login_required
@require_POST
def approval_return(request, pk):
    """业务科 sends an approval back to the district with a comment; filing it again resubmits."""
    approval = get_visible_or_404(Approval.objects.select_related("project"), request.user, pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(approval.project)
    try:
        services.return_approval(
            approval=approval, by=request.user, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已退回区县：%(approval)s。") % {"approval": approval})
    return redirect(approval.project)


@login_required
def approval_file(request, pk):
    approval = get_visible_or_404(Approval, request.user, pk=pk)
    return download(approval.file)


urlpatterns = [
    path("projects/", project_list, name="project_list"),
    path("projects/new/", project_create, name="project_create"),
    path("projects/<int:pk>/", project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project_edit"),
    path("projects/<int:pk>/staffing/", project_staffing, name="project_staffing"),
    path("projects/<int:pk>/advance/", project_advance, name="project_advance"),
    path("projects/<int:pk>/approvals/", approval_record, name="approval_record"),
    path("approvals/<int:pk>/verify/", approval_verify, name="approval_verify"),
    path("approvals/<int:pk>/return/", approval_return, name="approval_return"),
    path("approvals/<int:pk>/file/", approval_file, name="approval_file"),
]
