"""The dashboard: the year's figures, the signing progress per project, other apps' panels."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import panels as core_panels
from core.formatting import decimal_text, trimmed_text
from core.http import address_by_pk, paginate
from projects import figures
from projects.charts import signing_progress_svg

# Years outside this range are typing mistakes, not years the office worked in.
FIRST_YEAR, LAST_YEAR = 1990, 2100
PROJECTS_PER_PAGE = 25
_SELECTED = mark_safe(" selected")  # an attribute of the year picker's chosen <option>


def _chosen_year(request) -> int:
    """?year=YYYY, or the current year when it is missing or not a plausible year."""
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if FIRST_YEAR <= year <= LAST_YEAR else current


def _table_body(rows, project_url) -> SafeString:
    """The table's rows as HTML (escaped by format_html), the areas in m² with two decimals
    as the project list writes them (core.formatting.decimal_text): 25 rows of 7 cells cost
    the template engine more than the figures' query did."""
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
                decimal_text(row.area),
                decimal_text(row.signed_area),
            )
            for row in rows
        ),
    )


def _year_options(years: list[int], chosen: int) -> SafeString:
    """The year picker's <option>s (2022年), the year shown selected."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (
                year,
                _SELECTED if year == chosen else "",
                _("%(year)s年") % {"year": year},
            )
            for year in years
        ),
    )


def _figure_cards(year_figures: figures.YearFigures) -> list[core_panels.Panel]:
    """The year's own cards (new projects, projects in progress, signed households), shaped
    as the other apps' panels so that the page writes every card the same way."""
    new, progress, signed = year_figures.new, year_figures.in_progress, year_figures.signed
    if signed.rate is not None:
        rate = _("签约率%(rate)s%%") % {"rate": signed.rate}
    else:
        rate = _("签约率—")
    return [
        core_panels.Panel(
            title=_("新增项目"),
            value=new.count,
            unit=_("个"),
            note=_("%(households)s户 · %(area)s平方米")
            % {"households": new.households, "area": trimmed_text(new.area)},
        ),
        core_panels.Panel(
            title=_("正在实施"),
            value=progress.count,
            unit=_("个"),
            note=_("%(households)s户 · %(area)s万平方米")
            % {"households": progress.households, "area": progress.area_wan},
        ),
        core_panels.Panel(
            title=_("已签约"),
            value=signed.households,
            unit=_("户"),
            note=_("%(area)s万平方米") % {"area": signed.area_wan} + " · " + rate,
        ),
    ]


def _summary(year_figures: figures.YearFigures) -> str:
    """The year's figures in one sentence, as the office's reports write them."""
    new, progress, signed = year_figures.new, year_figures.in_progress, year_figures.signed
    return _(
        "%(year)s年新增房屋征收项目%(new_count)s个，共%(new_households)s户，面积%(new_area)s"
        "平方米；正在实施的项目%(count)s个，共%(households)s户，面积%(area)s万平方米，"
        "已完成签约%(signed_households)s户，面积%(signed_area)s万平方米。"
    ) % {
        "year": year_figures.year,
        "new_count": new.count,
        "new_households": new.households,
        "new_area": trimmed_text(new.area),
        "count": progress.count,
        "households": progress.households,
        "area": progress.area_wan,
        "signed_households": signed.households,
        "signed_area": signed.area_wan,
    }


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
            "cards": [
                *_figure_cards(year_figures),
                *core_panels.panels_for(year=year, user=request.user),
            ],
            "summary": _summary(year_figures),
            "table_body": _table_body(page, project_url),
            "page": page,
            "query": f"year={year}",
            "chart": chart,
        },
    )


urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
