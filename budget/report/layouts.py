"""The layouts of the three .xlsx attachments, declared as tables of rows and cells.

Provinces print these forms differently. Each province's (or year's) forms are declared once
as a `FormSet` in FORM_SETS, and a budget year names the set it files on (`form_layout`):
another province's forms are a new FormSet here — which labels, which figure goes in which
cell, spans, widths — not new code. The figures come from budget.report.sheets by key and the
writer (budget.report.workbook) knows neither.

A `Cell` is a fixed label (`text`, where {year}, {office} … are filled from the sheet's data)
or a figure (`key`) written in a format (`fmt`). `span` and `rowspan` merge cells; a cell
covered by a rowspan from above is skipped in the rows below. A `Repeat` writes its cells
once per record of a list in the data, merging equal neighbours in the `merge_same` columns
(the 一级/二级 columns of an indicator table).
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Formats
TEXT = "text"
INT = "int"
WAN = "wan"  # 万元, two decimals
SCORE = "score"  # points, two decimals
PERCENT = "percent"  # a fraction shown as 97.74%
AREA = "area"  # m², two decimals

# Styles
TITLE = "title"
SUBTITLE = "subtitle"
HEADER = "header"
LABEL = "label"
BODY = "body"
WRAP = "wrap"  # long text, left-aligned and wrapped
TOTAL = "total"


@dataclass(frozen=True)
class Cell:
    text: str | Promise = ""
    key: str = ""
    fmt: str = TEXT
    style: str = BODY
    span: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    height: float | None = None  # points; None: estimated from the text


@dataclass(frozen=True)
class Repeat:
    source: str
    cells: list[Cell]
    merge_same: tuple[int, ...] = ()


@dataclass(frozen=True)
class SheetLayout:
    name: str | Promise  # the sheet's tab; may use {fields}
    widths: list[float]  # column widths in characters
    rows: list[Row | Repeat] = field(default_factory=list)
    title_rows: int = 0  # rows repeated at the top of every printed page
    landscape: bool = True


def label(text, **kwargs) -> Cell:
    return Cell(text=text, style=kwargs.pop("style", LABEL), **kwargs)


def header(text, **kwargs) -> Cell:
    return Cell(text=text, style=HEADER, **kwargs)


def wan(key: str, **kwargs) -> Cell:
    return Cell(key=key, fmt=WAN, **kwargs)


def area(key: str, **kwargs) -> Cell:
    return Cell(key=key, fmt=AREA, **kwargs)


def control_row(text, item: str, *, style: str = LABEL) -> Row:
    return Row(
        [
            label(text, style=style),
            wan(f"{item}.previous_actual"),
            wan(f"{item}.budget"),
            wan(f"{item}.actual"),
        ]
    )


# ---------------------------------------------------------------------------
# 附件1 部门整体支出绩效评价基础数据表

ATTACHMENT1 = SheetLayout(
    name=_("基础数据表"),
    widths=[40, 18, 18, 18],
    title_rows=2,
    rows=[
        Row([Cell(text=_("部门整体支出绩效评价基础数据表"), style=TITLE, span=4)], height=30),
        Row(
            [
                Cell(text=_("填报单位：{office}"), style=SUBTITLE, span=2),
                Cell(text=_("{year}年度　单位：万元、人"), style=SUBTITLE, span=2),
            ]
        ),
        Row(
            [
                header(_("财政供养人员情况")),
                header(_("编制数")),
                header(_("{year}年实际在职人数")),
                header(_("控制率")),
            ]
        ),
        Row(
            [
                label(_("人数")),
                Cell(key="authorized_posts", fmt=INT),
                Cell(key="staff_in_post", fmt=INT),
                Cell(key="control_rate", fmt=PERCENT),
            ]
        ),
        Row(
            [
                header(_("经费控制情况")),
                header(_("{previous_year}年决算数")),
                header(_("{year}年预算数")),
                header(_("{year}年决算数")),
            ]
        ),
        control_row(_("“三公”经费"), "three_public", style=TOTAL),
        control_row(_("　1.公务用车购置及运行维护费"), "vehicle"),
        control_row(_("　　其中：公务用车购置费"), "vehicle_purchase"),
        control_row(_("　　　　　公务用车运行维护费"), "vehicle_running"),
        control_row(_("　2.因公出国（境）费"), "outbound"),
        control_row(_("　3.公务接待费"), "reception"),
        control_row(_("项目支出"), "project", style=TOTAL),
        control_row(_("公用经费"), "public_funds", style=TOTAL),
        control_row(_("　其中：办公经费"), "office"),
        control_row(_("　　　　水费、电费、差旅费"), "utilities_travel"),
        control_row(_("　　　　会议费、培训费"), "meeting_training"),
        control_row(_("政府采购金额"), "procurement", style=TOTAL),
        Row(
            [
                header(_("楼堂馆所控制情况（{year}年完工项目）"), rowspan=4),
                header(_("批复规模（平方米）")),
                header(_("实际规模（平方米）")),
                header(_("规模控制率")),
            ]
        ),
        Row(
            [
                area("building.approved_area"),
                area("building.actual_area"),
                Cell(key="building.area_rate", fmt=PERCENT),
            ]
        ),
        Row(
            [
                header(_("预算投资（万元）")),
                header(_("实际投资（万元）")),
                header(_("投资概算控制率")),
            ]
        ),
        Row(
            [
                wan("building.budget_investment"),
                wan("building.actual_investment"),
                Cell(key="building.investment_rate", fmt=PERCENT),
            ]
        ),
        Row([label(_("厉行节约保障措施")), Cell(key="frugality_measures", style=WRAP, span=3)]),
        Row(
            [
                label(_("关于“三公”经费控制的说明")),
                Cell(key="three_public_note", style=WRAP, span=3),
            ]
        ),
        Row([label(_("关于预算调整的说明")), Cell(key="adjustment_note", style=WRAP, span=3)]),
    ],
)


# ---------------------------------------------------------------------------
# 附件2 部门整体支出绩效自评表


def funding_row(text, source: str, *, style: str = LABEL) -> Row:
    return Row(
        [
            label(text, style=style),
            wan(f"{source}.initial"),
            wan(f"{source}.full"),
            wan(f"{source}.executed"),
            Cell(key=f"{source}.weight", fmt=SCORE),
            Cell(key=f"{source}.rate", fmt=PERCENT),
            Cell(key=f"{source}.score", fmt=SCORE),
        ]
    )


# The funds by source (its budget-execution score beside them) and the annual goal: the same
# block on the department's form (attachment 2) and on each project's (attachment 3).
FUNDS_BLOCK = [
    Row(
        [
            label(_("{funds_label}（万元）"), rowspan=5),
            header(""),
            header(_("年初预算数")),
            header(_("全年预算数")),
            header(_("全年执行数")),
            header(_("分值")),
            header(_("执行率")),
            header(_("得分")),
        ]
    ),
    funding_row(_("年度资金总额"), "total", style=TOTAL),
    funding_row(_("其中：当年财政拨款"), "fiscal"),
    funding_row(_("　　　上年结转资金"), "carryover"),
    funding_row(_("　　　其他资金"), "other"),
]
GOAL_BLOCK = [
    Row(
        [
            label(_("年度总体目标"), rowspan=2),
            header(_("预期目标"), span=4),
            header(_("实际完成情况"), span=3),
        ]
    ),
    Row([Cell(key="goal", style=WRAP, span=4), Cell(key="outcome", style=WRAP, span=3)]),
]


INDICATOR_HEADER = Row(
    [
        header(_("一级指标")),
        header(_("二级指标")),
        header(_("三级指标")),
        header(_("年度指标值")),
        header(_("实际完成值")),
        header(_("分值")),
        header(_("得分")),
        header(_("偏差原因分析及改进措施")),
    ]
)
INDICATOR_ROWS = Repeat(
    source="indicators",
    cells=[
        Cell(key="level"),
        Cell(key="sublevel"),
        Cell(key="name", style=WRAP),
        Cell(key="target"),
        Cell(key="actual"),
        Cell(key="weight", fmt=SCORE),
        Cell(key="score", fmt=SCORE),
        Cell(key="deviation", style=WRAP),
    ],
    merge_same=(0, 1),
)
TOTAL_ROW = Row(
    [
        Cell(text=_("总分"), style=TOTAL, span=5),
        Cell(key="weight_total", fmt=SCORE, style=TOTAL),
        Cell(key="total", fmt=SCORE, style=TOTAL),
        Cell(text=_("等级：{grade}"), style=TOTAL),
    ]
)

ATTACHMENT2 = SheetLayout(
    name=_("部门整体支出绩效自评表"),
    widths=[12, 16, 30, 14, 14, 8, 8, 40],
    title_rows=4,
    rows=[
        Row([Cell(text=_("部门整体支出绩效自评表"), style=TITLE, span=8)], height=30),
        Row([Cell(text=_("（{year}年度）"), style=SUBTITLE, span=8)]),
        Row([Cell(text=_("单位名称（盖章）：{office}"), style=SUBTITLE, span=8)]),
        *FUNDS_BLOCK,
        *GOAL_BLOCK,
        INDICATOR_HEADER,
        INDICATOR_ROWS,
        TOTAL_ROW,
    ],
)


# ---------------------------------------------------------------------------
# 附件3 项目支出绩效自评表 (one sheet per project expenditure)


ATTACHMENT3 = SheetLayout(
    name=_("{name}"),
    widths=[12, 18, 28, 14, 14, 8, 10, 40],
    title_rows=2,
    rows=[
        Row([Cell(text=_("项目支出绩效自评表"), style=TITLE, span=8)], height=30),
        Row([Cell(text=_("（{year}年度）"), style=SUBTITLE, span=8)]),
        Row([label(_("项目名称")), Cell(key="name", span=7)]),
        Row(
            [
                label(_("主管部门")),
                Cell(key="department", span=3),
                label(_("实施单位")),
                Cell(key="implementer", span=3),
            ]
        ),
        *FUNDS_BLOCK,
        *GOAL_BLOCK,
        INDICATOR_HEADER,
        INDICATOR_ROWS,
        TOTAL_ROW,
    ],
)


@dataclass(frozen=True)
class FormSet:
    """The three attachments as one province prints them, from a given year."""

    label: str | Promise
    attachment1: SheetLayout
    attachment2: SheetLayout
    attachment3: SheetLayout


DEFAULT_FORMS = "hunan"
FORM_SETS: dict[str, FormSet] = {
    "hunan": FormSet(
        label=_("湖南省部门整体支出和项目支出绩效自评表（2022年起）"),
        attachment1=ATTACHMENT1,
        attachment2=ATTACHMENT2,
        attachment3=ATTACHMENT3,
    ),
}


def form_set(name: str) -> FormSet:
    """The forms a year files on; a name no longer declared falls back to the default."""
    return FORM_SETS.get(name) or FORM_SETS[DEFAULT_FORMS]


def form_choices() -> list[tuple[str, str]]:
    return [(name, str(forms.label)) for name, forms in FORM_SETS.items()]
