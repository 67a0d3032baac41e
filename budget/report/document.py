"""The self-evaluation report as a structure: chapters of headings, paragraphs, tables and a
chart, in the seed's order (一 部门基本情况 … 十 其他需要说明的情况).

The PDF (budget.report.pdf) and the Word file (budget.report.word) both render this one
structure, so the two say the same thing. Chapter and sub-heading numbers (一、 and （一）)
are given here, in order; staff text never carries them.
"""

from dataclasses import dataclass, field
from datetime import date

import cn2an
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget import narratives
from budget.figures import number_text, wan_text
from budget.models import BudgetLine, Fund, Narrative, SpendingKind
from budget.yearbook import YearBook
from core.formatting import cn_date, wan

# The most projects the signing-progress chart shows (one printed page); the table lists all.
CHART_LIMIT = 30

ATTACHMENT_TITLES = [
    gettext_lazy("部门整体支出绩效评价基础数据表"),
    gettext_lazy("部门整体支出绩效自评表"),
    gettext_lazy("项目支出绩效自评表"),
]


def cn_number(number: int) -> str:
    return cn2an.an2cn(number)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: 一、 chapter; 2: （一） section

    kind = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False

    kind = "paragraph"


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    numeric_from: int = 1  # columns from this index on are figures, right-aligned
    total_last: bool = False  # the last row is a total
    compact: bool = False  # many columns: a smaller type

    kind = "table"


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    caption: str

    kind = "chart"


Block = Heading | Paragraph | Table | Chart


@dataclass
class Document:
    title: str
    office_name: str
    year: int
    report_date: date
    cover_label: str = ""  # 附件1: the report is an attachment of the finance bureau's notice
    blocks: list[Block] = field(default_factory=list)

    @property
    def date_text(self) -> str:
        return cn_date(self.report_date)

    @property
    def title_lines(self) -> list[str]:
        """The title in two lines: the year and office, then what it is. (The seed breaks it
        after 整体支出, where its Word page ran out; that line is too long for a 22-point
        title on A4.)"""
        return [
            _("%(year)s年度%(office)s") % {"year": self.year, "office": self.office_name},
            self.title,
        ]

    @property
    def full_title(self) -> str:
        return "".join(self.title_lines)


class _Writer:
    """Appends blocks and numbers the chapters and sections as it goes."""

    def __init__(self, document: Document):
        self.document = document
        self.chapter = 0
        self.section = 0

    def chapter_heading(self, text: str) -> None:
        self.chapter += 1
        self.section = 0
        self.document.blocks.append(Heading(f"{cn_number(self.chapter)}、{text}", 1))

    def section_heading(self, text: str) -> None:
        self.section += 1
        self.document.blocks.append(Heading(f"（{cn_number(self.section)}）{text}", 2))

    def paragraph(self, text: str, *, emphasis: bool = False) -> None:
        self.document.blocks.append(Paragraph(text, emphasis))

    def add(self, block: Block) -> None:
        self.document.blocks.append(block)

    def narrative(self, book: YearBook, kind: str, *, empty: str | None = None, chart=None) -> bool:
        """Write a narrative; returns whether it placed the chart (`chart` writes it)."""
        lines = narratives.lines(book.narrative(kind), book.figures)
        if not lines and empty:
            self.paragraph(empty)
        placed = False
        for line in lines:
            if line.is_chart:
                if chart is not None and not placed:
                    chart()
                    placed = True
            elif line.is_heading:
                self.section_heading(line.text)
            else:
                self.paragraph(line.text)
        return placed


def _amount_sentence(book: YearBook, fund_label: str, line: BudgetLine) -> str:
    return _(
        "本单位%(year)s年度%(fund)s%(kind)s年初结转和结余%(opening)s万元，本年收入%(income)s万元，"
        "本年支出%(expenditure)s万元，年末结转和结余%(closing)s万元。"
    ) % {
        "year": book.year,
        "fund": fund_label,
        "kind": line.get_kind_display(),
        "opening": wan_text(line.opening),
        "income": wan_text(line.income),
        "expenditure": wan_text(line.expenditure),
        "closing": wan_text(line.closing),
    }


def _lines_table(book: YearBook, fund: str) -> Table:
    rows = []
    totals = [0, 0, 0, 0]
    for kind, label in SpendingKind.choices:
        line = book.line(fund, kind)
        amounts = (
            [line.opening, line.income, line.expenditure, line.closing] if line else [0, 0, 0, 0]
        )
        totals = [a + b for a, b in zip(totals, amounts, strict=True)]
        rows.append([str(label), *(f"{wan(amount):.2f}" for amount in amounts)])
    rows.append([_("合计"), *(f"{wan(amount):.2f}" for amount in totals)])
    return Table(
        columns=[_("项目"), _("年初结转和结余"), _("本年收入"), _("本年支出"), _("年末结转和结余")],
        rows=rows,
        caption=_("%(fund)s收支情况（单位：万元）") % {"fund": Fund(fund).label},
        total_last=True,
    )


def _basic_facts(writer: _Writer, book: YearBook) -> None:
    budget_year = book.budget_year
    writer.chapter_heading(_("部门（单位）基本情况"))
    writer.section_heading(_("机构、人员构成"))
    sections = budget_year.section_list
    parts = []
    if book.parent_body:
        parts.append(
            _("%(office)s为%(parent)s下属的%(level)s")
            % {
                "office": book.office_name,
                "parent": book.parent_body,
                "level": budget_year.budget_level,
            }
        )
    else:
        parts.append(
            _("%(office)s为%(level)s")
            % {"office": book.office_name, "level": budget_year.budget_level}
        )
    if sections:
        parts.append(
            _("下设%(sections)s等%(count)s个科室")
            % {"sections": "、".join(sections), "count": cn_number(len(sections))}
        )
    text = "，".join(parts) + "。"
    text += _(
        "单位人员编制%(posts)s人，截至%(year)s年12月底在编在职人员%(staff)s人，离退休人员%(retired)s人。"
    ) % {
        "posts": budget_year.authorized_posts,
        "year": book.year,
        "staff": budget_year.staff_in_post,
        "retired": budget_year.retired,
    }
    units = budget_year.subordinate_unit_list
    if units:
        text += _("下属二级单位：%(units)s。") % {"units": "、".join(units)}
    else:
        text += _("本单位没有下属的二级单位。")
    writer.paragraph(text)
    rate = (
        f"{budget_year.staff_in_post * 100 / budget_year.authorized_posts:.2f}%"
        if budget_year.authorized_posts
        else "—"
    )
    writer.add(
        Table(
            columns=[
                _("编制数（人）"),
                _("在编在职人数（人）"),
                _("离退休人数（人）"),
                _("编制控制率"),
            ],
            rows=[
                [
                    str(budget_year.authorized_posts),
                    str(budget_year.staff_in_post),
                    str(budget_year.retired),
                    rate,
                ]
            ],
            caption=_("人员构成"),
            numeric_from=0,
        )
    )
    writer.section_heading(_("单位主要职责"))
    for number, duty in enumerate(budget_year.duty_list, start=1):
        writer.paragraph(f"（{number}）{duty}")


def _general_budget(writer: _Writer, book: YearBook) -> None:
    writer.chapter_heading(_("一般公共预算支出情况"))
    fund_label = Fund.GENERAL.label
    lines = book.fund_lines(Fund.GENERAL)
    stated = book.stated_total(Fund.GENERAL)
    # The sentence states the totals of the table below it; where the final accounts state
    # other totals, §十 explains the difference (budget.checks finds it).
    income = sum((line.income for line in lines), 0)
    spent = sum((line.expenditure for line in lines), 0)
    if not lines and not stated:
        writer.paragraph(
            _("本单位%(year)s年无%(fund)s的资金支出。") % {"year": book.year, "fund": fund_label}
        )
        return
    writer.paragraph(
        _("本单位%(year)s年度%(fund)s收入%(income)s万元，本年支出%(spent)s万元。")
        % {
            "year": book.year,
            "fund": fund_label,
            "income": wan_text(income),
            "spent": wan_text(spent),
        }
        + (
            _("决算报表所列数与本表合计的差异，说明见“其他需要说明的情况”。")
            if stated and (stated.income, stated.expenditure) != (income, spent)
            else ""
        )
    )
    writer.add(_lines_table(book, Fund.GENERAL))
    for kind, label in SpendingKind.choices:
        writer.section_heading(_("%(kind)s情况") % {"kind": label})
        line = book.line(Fund.GENERAL, kind)
        if line is None:
            writer.paragraph(
                _("本单位%(year)s年度无%(fund)s%(kind)s。")
                % {"year": book.year, "fund": fund_label, "kind": label}
            )
        else:
            writer.paragraph(_amount_sentence(book, fund_label, line))


def _other_fund(writer: _Writer, book: YearBook, fund: Fund, title: str) -> None:
    writer.chapter_heading(title)
    lines = [line for line in book.fund_lines(fund) if line.has_activity]
    if not lines:
        writer.paragraph(
            _("本单位%(year)s年无%(fund)s的资金支出。") % {"year": book.year, "fund": fund.label}
        )
        return
    writer.add(_lines_table(book, fund))
    for line in lines:
        writer.paragraph(_amount_sentence(book, fund.label, line))


def _progress(writer: _Writer, book: YearBook, chart: SafeString | None) -> None:
    """The signing-progress chart and its table."""
    rows = book.figures.value("_progress_rows") or []
    if not rows:
        return
    if chart is not None:
        caption = _("图1 %(year)s年正在实施项目签约进度") % {"year": book.year}
        if len(rows) > CHART_LIMIT:
            caption += _("（户数最多的%(count)s个项目）") % {"count": CHART_LIMIT}
        writer.add(Chart(chart, caption))
    writer.add(
        Table(
            columns=[
                _("项目名称"),
                _("区县"),
                _("户数"),
                _("已签约"),
                _("签约率"),
                _("面积（㎡）"),
                _("已签约面积（㎡）"),
            ],
            rows=[
                [
                    row.name,
                    row.district,
                    str(row.households),
                    str(row.signed),
                    f"{row.rate}%" if row.rate is not None else "—",
                    f"{row.area:,.2f}",
                    f"{row.signed_area:,.2f}",
                ]
                for row in rows
            ],
            caption=_("%(year)s年正在实施项目签约情况") % {"year": book.year},
            numeric_from=2,
            compact=True,
        )
    )


def _performance(writer: _Writer, book: YearBook, chart: SafeString | None) -> None:
    writer.chapter_heading(_("部门整体支出绩效情况"))

    def place_chart() -> None:
        _progress(writer, book, chart)

    placed = False
    for kind in (Narrative.Kind.WORK, Narrative.Kind.PARTY, Narrative.Kind.PUBLICITY):
        placed = writer.narrative(book, kind, chart=None if placed else place_chart) or placed
    if not placed and book.figures.value("_progress_rows"):
        writer.section_heading(_("项目签约进度"))
        place_chart()
    card = book.department
    if card.rows:
        writer.section_heading(_("绩效指标完成情况"))
        writer.paragraph(
            _(
                "部门整体支出绩效自评共设%(count)s项三级指标，预算执行率%(rate)s，"
                "自评得分%(score)s分，等级为“%(grade)s”。各指标的年度指标值、实际完成值和得分见附件2。"
            )
            % {
                "count": len(card.rows),
                "rate": book.figures["execution_rate"].text,
                "score": number_text(card.total),
                "grade": card.grade,
            }
        )
        writer.add(
            Table(
                columns=[_("一级指标"), _("分值"), _("得分")],
                rows=[
                    [label, number_text(weight), f"{score:.2f}"]
                    for _level, label, weight, score in card.level_totals
                ]
                + [[_("合计"), number_text(card.weight_total), f"{card.total:.2f}"]],
                caption=_("部门整体支出绩效自评得分"),
                total_last=True,
            )
        )


def _findings(writer: _Writer, book: YearBook) -> None:
    """Each disagreement the consistency check found, in the office's words (budget.checks)."""
    rows = book.finding_rows()
    if not rows:
        return
    writer.paragraph(
        _("本报告数据经一致性检查，有%(count)s处合计与明细不一致，说明如下：")
        % {"count": len(rows)}
    )
    for number, (_finding, _note, text) in enumerate(rows, start=1):
        writer.paragraph(f"{number}.{text}")


def build(book: YearBook, *, chart: SafeString | None, today: date) -> Document:
    budget_year = book.budget_year
    document = Document(
        title=_("整体支出绩效自评报告"),
        office_name=book.office_name,
        year=book.year,
        report_date=budget_year.report_date or today,
        cover_label=budget_year.cover_label,
    )
    writer = _Writer(document)
    _basic_facts(writer, book)
    _general_budget(writer, book)
    _other_fund(writer, book, Fund.GOVERNMENT, _("政府性基金预算支出情况"))
    _other_fund(writer, book, Fund.STATE_CAPITAL, _("国有资本经营预算支出情况"))
    _other_fund(writer, book, Fund.SOCIAL_INSURANCE, _("社会保险基金预算支出情况"))
    _performance(writer, book, chart)
    writer.chapter_heading(_("存在的问题及原因分析"))
    writer.narrative(book, Narrative.Kind.PROBLEMS, empty=_("无。"))
    writer.chapter_heading(_("下一步改进措施"))
    writer.narrative(book, Narrative.Kind.NEXT_STEPS, empty=_("无。"))
    writer.chapter_heading(_("部门整体支出绩效自评结果拟应用和公开情况"))
    if book.department.rows:
        writer.paragraph(
            _("%(year)s年度部门整体支出绩效自评得分%(score)s分，等级为“%(grade)s”。")
            % {
                "year": book.year,
                "score": number_text(book.department.total),
                "grade": book.department.grade,
            },
            emphasis=True,
        )
    writer.narrative(book, Narrative.Kind.DISCLOSURE)
    writer.chapter_heading(_("其他需要说明的情况"))
    writer.narrative(book, Narrative.Kind.OTHER)
    _findings(writer, book)
    writer.paragraph(_("本报告附件："))
    count = len(book.expenditures)
    for number, title in enumerate(ATTACHMENT_TITLES, start=1):
        title = str(title)
        if number == 3:
            title += _("（一个项目支出一张表，共%(count)s张）") % {"count": count}
        writer.paragraph(f"{number}.{title}")
    return document
