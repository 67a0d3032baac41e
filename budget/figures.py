"""The named figures of a year: what a narrative can insert and an indicator can be bound to.

Each figure is declared once in FIGURES (its key, the name staff type between braces, its
unit and how it is written) and computed by `collect` from what the other apps expose:
projects.figures (new projects, projects in progress, signed households), the hazards of the
year's safety inspections, petitions.figures (visitor-times, cases answered on time), the
compensation ledger, the appraisers' credit list, and this app's budget lines. `collect`
issues a fixed number of queries whatever the number of projects and households.

The names between braces are a stable syntax that stored narratives rely on, so they are
plain strings, not translated messages: translating one would break every text using it.
"""

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from budget import scoring
from core.formatting import wan

COUNT = "count"  # a whole number
AREA = "area"  # m², as many decimals as needed (9472)
WAN = "wan"  # 万 (m² or yuan), two places at most (14.95, 213.4)
PERCENT = "percent"  # a percentage, written with its sign (97.74%)
TEXT = "text"
CHART = "chart"  # a line of its own where the report places the signing-progress chart


@dataclass(frozen=True)
class FigureSpec:
    key: str
    name: str  # what staff type between braces: {正在实施项目数}
    unit: str | Promise
    style: str
    group: str | Promise

    @property
    def is_numeric(self) -> bool:
        return self.style not in (TEXT, CHART)


G_OFFICE = _("单位基本情况")
G_PROJECTS = _("征收项目")
G_SAFETY = _("安全隐患")
G_PETITIONS = _("信访")
G_FUNDS = _("补偿资金")
G_APPRAISERS = _("评估机构")
G_BUDGET = _("预算执行")
G_SCORE = _("绩效自评")

FIGURES: list[FigureSpec] = [
    FigureSpec("year", "年度", "", COUNT, G_OFFICE),
    FigureSpec("authorized_posts", "编制数", _("人"), COUNT, G_OFFICE),
    FigureSpec("staff_in_post", "在编在职人数", _("人"), COUNT, G_OFFICE),
    FigureSpec("retired", "离退休人数", _("人"), COUNT, G_OFFICE),
    FigureSpec("section_count", "科室数", _("个"), COUNT, G_OFFICE),
    FigureSpec("new_count", "新增项目数", _("个"), COUNT, G_PROJECTS),
    FigureSpec("new_households", "新增项目户数", _("户"), COUNT, G_PROJECTS),
    FigureSpec("new_area", "新增项目面积", _("平方米"), AREA, G_PROJECTS),
    FigureSpec("new_names", "新增项目名称", "", TEXT, G_PROJECTS),
    FigureSpec("in_progress_count", "正在实施项目数", _("个"), COUNT, G_PROJECTS),
    FigureSpec("in_progress_households", "正在实施项目户数", _("户"), COUNT, G_PROJECTS),
    FigureSpec("in_progress_area_wan", "正在实施项目面积", _("万平方米"), WAN, G_PROJECTS),
    FigureSpec("in_progress_names", "正在实施项目名称", "", TEXT, G_PROJECTS),
    FigureSpec("signed_households", "已签约户数", _("户"), COUNT, G_PROJECTS),
    FigureSpec("signed_area_wan", "已签约面积", _("万平方米"), WAN, G_PROJECTS),
    FigureSpec("signing_rate", "签约率", "%", PERCENT, G_PROJECTS),
    FigureSpec("progress_chart", "签约进度图", _("图表"), CHART, G_PROJECTS),
    FigureSpec("key_project_count", "市重点项目数", _("个"), COUNT, G_PROJECTS),
    FigureSpec("hazards_found", "安全隐患数", _("处"), COUNT, G_SAFETY),
    FigureSpec("hazard_categories", "安全隐患类别数", _("类"), COUNT, G_SAFETY),
    FigureSpec("hazards_rectified", "已整改隐患数", _("处"), COUNT, G_SAFETY),
    FigureSpec("hazard_rectification_rate", "隐患整改率", "%", PERCENT, G_SAFETY),
    FigureSpec("visitor_times", "来访人次", _("人次"), COUNT, G_PETITIONS),
    FigureSpec("visitor_people", "来访人数", _("人"), COUNT, G_PETITIONS),
    FigureSpec("visits", "来访批次", _("批次"), COUNT, G_PETITIONS),
    FigureSpec("petitions_received", "信访件数", _("件"), COUNT, G_PETITIONS),
    FigureSpec("petitions_on_time_rate", "信访按期办结率", "%", PERCENT, G_PETITIONS),
    FigureSpec("fund_deposits_wan", "补偿资金归集额", _("万元"), WAN, G_FUNDS),
    FigureSpec("fund_disbursements_wan", "补偿资金拨付额", _("万元"), WAN, G_FUNDS),
    FigureSpec("credit_listed_firms", "信用名录评估机构数", _("家"), COUNT, G_APPRAISERS),
    FigureSpec("general_income_wan", "一般公共预算收入", _("万元"), WAN, G_BUDGET),
    FigureSpec("general_expenditure_wan", "一般公共预算支出", _("万元"), WAN, G_BUDGET),
    FigureSpec("basic_expenditure_wan", "基本支出", _("万元"), WAN, G_BUDGET),
    FigureSpec("project_expenditure_wan", "项目支出", _("万元"), WAN, G_BUDGET),
    FigureSpec("execution_rate", "预算执行率", "%", PERCENT, G_BUDGET),
    FigureSpec("total_score", "自评得分", _("分"), COUNT, G_SCORE),
    FigureSpec("grade", "自评等级", "", TEXT, G_SCORE),
]
BY_KEY = {spec.key: spec for spec in FIGURES}
BY_NAME = {spec.name: spec for spec in FIGURES}
# Figures computed from the scorecard itself cannot feed an indicator of that scorecard.
SCORE_KEYS = frozenset({"total_score", "grade"})


def bindable() -> list[FigureSpec]:
    """The figures an indicator can take its actual from."""
    return [spec for spec in FIGURES if spec.is_numeric and spec.key not in SCORE_KEYS]


def number_text(value) -> str:
    """A Decimal written without trailing zeros: 213.40 → 213.4, 9472.00 → 9472, 0 → 0."""
    if value is None:
        return "—"
    value = Decimal(value)
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def wan_text(yuan) -> str:
    """Yuan (or m²) in 万 with two places at most, as the seed writes them: 2,134,000 → 213.4."""
    return number_text(wan(yuan))


def names_text(names: list[str], *, limit: int | None = None) -> str:
    """北塔区C-12地块和三里桥道路改造工程; with a limit, the first ones and 等."""
    if limit is not None and len(names) > limit:
        return "、".join(names[:limit]) + "等"
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


@dataclass(frozen=True)
class Figure:
    spec: FigureSpec
    value: object  # int, Decimal, str or None (not available)

    @property
    def text(self) -> str:
        if self.value is None and self.spec.style != CHART:
            return "—"
        style = self.spec.style
        if style == CHART:
            return ""  # the chart stands on a line of its own (budget.narratives)
        if style == TEXT:
            return str(self.value)
        if style == PERCENT:
            return f"{number_text(self.value)}%"
        return number_text(self.value)

    @property
    def number(self) -> Decimal | None:
        """The value as a Decimal, for an indicator bound to it."""
        if self.value is None or self.spec.style == TEXT:
            return None
        return Decimal(self.value)


class Figures:
    """The figures of one year, by key; `text_for(name)` serves the placeholders."""

    def __init__(self, values: dict[str, object]):
        self._values = values

    def __getitem__(self, key: str) -> Figure:
        return Figure(BY_KEY[key], self._values.get(key))

    def __iter__(self) -> Iterator[Figure]:
        return (self[spec.key] for spec in FIGURES)

    def value(self, key: str):
        return self._values.get(key)

    def with_values(self, **values) -> "Figures":
        return Figures({**self._values, **values})

    def text_for(self, name: str) -> str | None:
        spec = BY_NAME.get(name)
        return self[spec.key].text if spec else None


class OfficeReader:
    """The reader the report job uses with other apps' figures: the whole office.

    projects.figures reads through core.scoping, which lets office staff see every district;
    the job has no user, so it reads as this stand-in for office staff (it can log in to
    nothing: it is not a User)."""

    is_authenticated = True
    is_active = True
    is_office_staff = True
    is_district_user = False
    district_id = None
    pk = None


OFFICE = OfficeReader()


# ---------------------------------------------------------------------------
# Sources. Each reads another app through what it exposes; where that app has no function
# for a figure, a small aggregate over its QuerySet here (and no copy of its logic).


def _project_figures(year: int) -> dict[str, object]:
    from projects import figures as project_figures

    figures = project_figures.year_figures(year, user=OFFICE)
    # In order of their start, as the report names them (六岭棚改、水利局棚改…).
    in_progress = list(
        project_figures.projects_in_progress(year, user=OFFICE)
        .order_by("started_on", "pk")
        .values_list("name", "started_on", "is_key")
    )
    new_names = [name for name, started_on, _is_key in in_progress if started_on.year == year]
    return {
        "new_count": figures.new.count,
        "new_households": figures.new.households,
        "new_area": figures.new.area,
        "new_names": names_text(new_names, limit=4),
        "in_progress_count": figures.in_progress.count,
        "in_progress_households": figures.in_progress.households,
        "in_progress_area_wan": figures.in_progress.area_wan,
        "in_progress_names": names_text([row[0] for row in in_progress], limit=4),
        "signed_households": figures.signed.households,
        "signed_area_wan": figures.signed.area_wan,
        "signing_rate": figures.signed.rate,
        "key_project_count": sum(1 for row in in_progress if row[2]),
        "_progress_rows": figures.projects,  # for the chart and its table
    }


def hazard_figures(year: int) -> dict[str, object]:
    """Hazards found in the year's safety inspections, and those rectified by its end.

    projects exposes no yearly hazard figure (only the dashboard's open count), so this reads
    its Hazard QuerySet: one aggregate."""
    from projects.models import Hazard

    totals = Hazard.objects.filter(inspection__started_on__year=year).aggregate(
        found=Count("pk"),
        categories=Count("category", distinct=True),
        rectified=Count(
            "pk",
            filter=Q(status=Hazard.Status.RECTIFIED, rectified_on__lte=date(year, 12, 31)),
        ),
    )
    rate = scoring.percent(
        scoring.execution_rate(available=totals["found"], spent=totals["rectified"]), 1
    )
    return {
        "hazards_found": totals["found"],
        "hazard_categories": totals["categories"],
        "hazards_rectified": totals["rectified"],
        "hazard_rectification_rate": rate,
    }


def _petition_figures(year: int) -> dict[str, object]:
    if not apps.is_installed("petitions"):
        return {}
    from petitions import figures as petition_figures

    figures = petition_figures.year_figures(year, user=None)
    return {
        "visitor_times": figures.visits.visitor_times,
        "visitor_people": figures.visits.people,
        "visits": figures.visits.visits,
        "petitions_received": figures.received,
        "petitions_on_time_rate": figures.on_time.rate,
    }


def fund_figures(year: int) -> dict[str, object]:
    """Deposits into and disbursements from the compensation funds in the year, net of their
    reversals (compensation.reports.year_flows: one query over the ledger's yearly tally)."""
    if not apps.is_installed("compensation"):
        return {}
    from compensation.reports import year_flows

    flows = year_flows(year)
    return {
        "fund_deposits_wan": wan(flows.deposits) if flows.deposits is not None else None,
        "fund_disbursements_wan": (
            wan(flows.disbursements) if flows.disbursements is not None else None
        ),
    }


def _appraiser_figures(year: int) -> dict[str, object]:
    if not apps.is_installed("appraisers"):
        return {}
    from appraisers.models import CreditList

    latest = (
        CreditList.objects.published()
        .filter(period_end__year=year)
        .annotate(firms=Count("entries"))
        .order_by("-period_end", "-pk")
        .values_list("firms", flat=True)
        .first()
    )
    return {"credit_listed_firms": latest}


def budget_figures(budget_year, lines) -> dict[str, object]:
    from budget.models import Fund, SpendingKind

    general = [line for line in lines if line.fund == Fund.GENERAL]
    zero = Decimal("0.00")

    def total(rows, field):
        return sum((getattr(row, field) for row in rows), zero)

    available = total(lines, "opening") + total(lines, "income")
    rate = scoring.execution_rate(available=available, spent=total(lines, "expenditure"))
    return {
        "general_income_wan": wan(total(general, "income")),
        "general_expenditure_wan": wan(total(general, "expenditure")),
        "basic_expenditure_wan": wan(
            total([r for r in lines if r.kind == SpendingKind.BASIC], "expenditure")
        ),
        "project_expenditure_wan": wan(
            total([r for r in lines if r.kind == SpendingKind.PROJECT], "expenditure")
        ),
        "execution_rate": scoring.percent(rate),
        "_execution_fraction": rate,
    }


def collect(budget_year, *, lines=None) -> Figures:
    """Every figure of the year but the score (budget.scorecards adds it)."""
    year = budget_year.year
    if lines is None:
        lines = list(budget_year.lines.all())
    values: dict[str, object] = {
        "year": year,
        "authorized_posts": budget_year.authorized_posts,
        "staff_in_post": budget_year.staff_in_post,
        "retired": budget_year.retired,
        "section_count": len(budget_year.section_list),
    }
    values.update(_project_figures(year))
    values.update(hazard_figures(year))
    values.update(_petition_figures(year))
    values.update(fund_figures(year))
    values.update(_appraiser_figures(year))
    values.update(budget_figures(budget_year, lines))
    return Figures(values)


# ---------------------------------------------------------------------------
# A closed year's figures, stored as JSON (budget.models.YearClosing) and read back as they were.


def freeze(year_figures: Figures) -> dict:
    """The figures as JSON: Decimals as strings tagged "d", the progress rows as dicts."""
    frozen = {}
    for key, value in year_figures._values.items():
        if key == "_progress_rows":
            frozen[key] = [
                {
                    name: str(field) if isinstance(field, Decimal) else field
                    for name, field in ((f.name, getattr(row, f.name)) for f in fields(row))
                }
                for row in value or []
            ]
        elif isinstance(value, Decimal):
            frozen[key] = {"d": str(value)}
        else:
            frozen[key] = value
    return frozen


def thaw(frozen: dict) -> Figures:
    """The figures `freeze` stored, with their Decimals and progress rows back."""
    from projects.figures import ProjectProgress

    values = {}
    for key, value in frozen.items():
        if key == "_progress_rows":
            values[key] = [
                ProjectProgress(
                    **{
                        **row,
                        "area": Decimal(row["area"]),
                        "signed_area": Decimal(row["signed_area"]),
                    }
                )
                for row in value
            ]
        elif isinstance(value, dict) and set(value) == {"d"}:
            values[key] = Decimal(value["d"])
        else:
            values[key] = value
    return Figures(values)
