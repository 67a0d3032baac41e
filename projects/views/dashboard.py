"""The dashboard: the year's figures, the signing progress per project, other apps' panels."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import panels as core_panels
from core.formatting import trimmed_text
from core.http import address_by_pk, paginate
from projects import figures
from projects.charts import signing_progress_svg

# Years outside this range are typing mistakes, not years the office worked in.
FIRST_YEAR, LAST_YEAR = 1990, 2100
PROJECTS_PER_PAGE = 25


def _chosen_year(request) -> int:
    """?year=YYYY, or the current year when it is missing or not a plausible year."""
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if FIRST_YEAR <= year <= LAST_YEAR else current


def _table_body(rows, project_url) -> SafeString:
    """The table's rows as HTML (escaped by format_html), with the numbers as the template's
    filters would show them (floatformat:"-2": core.formatting.trimmed_text): 25 rows of 7
    cells cost the template engine more than the figures' query did."""
    return format_html_join(
        "\n",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td class="num">{}</td>'
        '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
        '<td class="num">{}</td></tr>',
        (
            (
                project_url(row.pk),
                row.name,
                row.district,
                row.households,
                row.signed,
                f"{row.rate}%" if row.rate is not None else "—",
                trimmed_text(row.area),
                trimmed_text(row.signed_area),
            )
            for row in rows
        ),
    )


def _year_options(years: list[int], chosen: int) -> list[dict]:
    """The year picker's options: value, label (2022年) and whether it is the year shown."""
    return [
        {"value": year, "label": _("%(year)s年") % {"year": year}, "selected": year == chosen}
        for year in years
    ]


@login_required
@require_GET
def dashboard(request):
    year = _chosen_year(request)
    year_figures = figures.year_figures(year, user=request.user)
    years = figures.years_with_projects(user=request.user)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    # The year's figures add up every project (sums grouped in the database); the chart and
    # the table show one page of projects, so a large year draws 25 bars, not 200.
    page = paginate(request, year_figures.projects, per_page=PROJECTS_PER_PAGE)
    project_url = address_by_pk("projects:project_detail")
    title = _("%(year)s年各项目签约进度") % {"year": year}
    if page.paginator.num_pages > 1:
        title += _("（第%(number)s/%(pages)s页，共%(count)s个项目）") % {
            "number": page.number,
            "pages": page.paginator.num_pages,
            "count": page.paginator.count,
        }
    chart = signing_progress_svg(page, title=title, url_for=lambda row: project_url(row.pk))
    return render(
        request,
        "projects/dashboard.html",
        {
            "year": year,
            "years": _year_options(years, year),
            "figures": year_figures,
            "table_body": _table_body(page, project_url),
            "page": page,
            "query": f"year={year}",
            "chart": chart,
            "panels": core_panels.panels_for(year=year, user=request.user),
        },
    )


urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
