"""The disclosure site (信息公开): what staff published, for anyone, without a login.

Only published things appear: notices with a publication date, approved plans, published
policy documents. Personal data never does; the per-household list is for the households
themselves (see public.lookup).
"""

from functools import wraps

from django.db.models import Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.http import download, paginate
from core.models import District, Office
from projects import figures
from projects.models import CompensationPlan, Notice, Project, Stage
from public.cache import cached_for_visitors
from public.forms import NoticeSearchForm
from public.models import PolicyDocument
from resettlement.stock import offered_stock


def public_projects():
    """Projects the public may see: started (their 启动公告 is out) and not withdrawn."""
    return Project.objects.filter(started_on__isnull=False).select_related("district")


def any_case_code(view):
    """A public project's page answers its code typed in any case: a view that finds no project
    for `/projects/2022-sq-001/` redirects (302, since a project spelled so may be created
    later) to the same page of the public project whose code is 2022-SQ-001
    (ProjectQuerySet.by_code), with the query string kept. It costs nothing on the way to a
    page that exists: the look-up runs only after the view raised Http404, which it raises
    again when the code is spelled exactly so, or no public project or several match."""

    @wraps(view)
    def wrapper(request, code, **kwargs):
        try:
            return view(request, code, **kwargs)
        except Http404:
            try:
                spelled = public_projects().by_code(code).code
            except (Project.DoesNotExist, Project.MultipleObjectsReturned):
                spelled = code
            if spelled == code:
                raise
            url = reverse(request.resolver_match.view_name, kwargs={**kwargs, "code": spelled})
            query = request.META.get("QUERY_STRING")
            return HttpResponseRedirect(f"{url}?{query}" if query else url)

    return wrapper


def published_notices():
    return Notice.objects.published().select_related("project__district")


def household_totals(projects) -> dict[int, dict]:
    """Per project: `projects.figures.household_totals` (households, signed, their areas in m²)
    and `paid`, what its funds paid to households (元). Two queries."""
    totals = figures.household_totals([project.pk for project in projects])
    for project_id, paid in paid_by_project(projects).items():
        totals.setdefault(project_id, {})["paid"] = paid
    return totals


def paid_by_project(projects) -> dict[int, object]:
    """What the compensation funds paid to households, per project, in one query."""
    from compensation.models import LedgerEntry

    rows = (
        LedgerEntry.objects.filter(fund__project__in=projects, household__isnull=False)
        .values("fund__project")
        .annotate(total=Sum("amount"))
    )
    # Disbursements are stored as negative amounts; reversals bring them back.
    return {row["fund__project"]: -row["total"] for row in rows}


def office_duties() -> list[str]:
    """The duties as stated for the latest year the office keeps (budget.BudgetYear)."""
    from budget.models import BudgetYear

    latest = BudgetYear.objects.order_by("-year").first()
    return latest.duty_list if latest else []


@cached_for_visitors
def home(request):
    projects = list(public_projects().exclude(stage=Stage.ARCHIVED).order_by("-started_on"))
    totals = household_totals(projects)
    for project in projects:
        project.totals = totals.get(project.pk, {})
    return render(
        request,
        "public/home.html",
        {
            "office": Office.objects.order_by("pk").first(),
            "duties": office_duties(),
            "districts": District.objects.active(),
            "projects": projects,
            "notices": published_notices().order_by("-published_on", "-pk")[:10],
            "search_form": NoticeSearchForm(),
        },
    )


@any_case_code
@cached_for_visitors
def project_detail(request, code):
    project = get_object_or_404(public_projects(), code=code)
    notices = project.notices.published().order_by("published_on", "pk")
    plan = project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    return render(
        request,
        "public/project_detail.html",
        {
            "project": project,
            "totals": household_totals([project]).get(project.pk, {}),
            "notices": notices,
            "plan": plan,
            "changes": project.stage_changes.order_by("changed_at", "pk"),
            "offered": offered_stock(project),
        },
    )


@cached_for_visitors
def notice_list(request):
    form = NoticeSearchForm(request.GET or None)
    notices = form.filter(published_notices()).order_by("-published_on", "-pk")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/notice_list.html",
        {"form": form, "page": paginate(request, notices), "query": query.urlencode()},
    )


@cached_for_visitors
def notice_detail(request, pk):
    notice = get_object_or_404(published_notices(), pk=pk)
    return render(request, "public/notice_detail.html", {"notice": notice})


def notice_attachment(request, pk):
    notice = get_object_or_404(published_notices(), pk=pk)
    return download(notice.attachment)


@any_case_code
def plan_document(request, code):
    project = get_object_or_404(public_projects(), code=code)
    plan = project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    if plan is None:
        raise Http404
    return download(plan.document)


@cached_for_visitors
def policy_list(request):
    return render(
        request,
        "public/policy_list.html",
        {"page": paginate(request, PolicyDocument.objects.published())},
    )


@cached_for_visitors
def policy_detail(request, pk):
    policy = get_object_or_404(PolicyDocument.objects.published(), pk=pk)
    return render(request, "public/policy_detail.html", {"policy": policy})


def policy_file(request, pk):
    policy = get_object_or_404(PolicyDocument.objects.published(), pk=pk)
    return download(policy.file)


@cached_for_visitors
def credit_list(request, pk=None):
    """The appraisal firms' credit list: the current one, or a past one by its id."""
    from appraisers.models import CreditList
    from appraisers.services import published_credit_lists

    lists = published_credit_lists()
    shown = (
        get_object_or_404(CreditList.objects.published(), pk=pk)
        if pk is not None
        else lists.current
    )
    return render(
        request,
        "public/credit_list.html",
        {
            "shown": shown,
            "entries": shown.entries.order_by("rank") if shown else [],
            "lists": [lst for lst in [lists.current, *lists.past] if lst],
        },
    )


@cached_for_visitors
def draw_list(request):
    from appraisers.models import FirmSelection

    selections = (
        FirmSelection.objects.filter(method=FirmSelection.Method.DRAW, winner__isnull=False)
        .select_related("project", "winner")
        .order_by("-drawn_at")
    )
    return render(request, "public/draw_list.html", {"page": paginate(request, selections)})


@cached_for_visitors
def draw_verify(request, pk):
    """Anyone can re-run a random draw from its published seed and candidate order."""
    from appraisers import draws
    from appraisers.models import FirmSelection
    from appraisers.services import draw_record

    selection = get_object_or_404(
        FirmSelection.objects.filter(
            method=FirmSelection.Method.DRAW, winner__isnull=False
        ).select_related("project", "winner"),
        pk=pk,
    )
    record = draw_record(selection)
    return render(
        request,
        "public/draw_verify.html",
        {
            "record": record,
            "verifies": record.verifies(),
            "steps": draws.algorithm_steps(),
            "python": draws.ALGORITHM_PYTHON,
        },
    )


@cached_for_visitors
def fund_hashes(request):
    """Each compensation fund's latest ledger hash as published for the day: an auditor who
    kept an earlier day's hash can tell whether entries were altered or removed since."""
    from compensation.public import fund_hashes as published

    return render(request, "public/fund_hashes.html", {"rows": published()})


def _published_reports():
    from budget.models import AnnualReport

    return AnnualReport.objects.published().select_related("budget_year")


@cached_for_visitors
def report_list(request):
    """The annual performance self-evaluation reports the office published, with attachments."""
    reports = _published_reports().order_by("-budget_year__year", "-published_at")
    return render(request, "public/report_list.html", {"reports": reports})


def report_file(request, pk, field):
    report = get_object_or_404(_published_reports(), pk=pk)
    if field not in report.FILES:
        raise Http404
    filename, ascii_filename = report.download_name(field)
    return download(getattr(report, field), filename, ascii_filename=ascii_filename)
