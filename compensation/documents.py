"""Documents for a household: the compensation agreement (补偿协议) and the settlement sheet
(结算单) from the template the office keeps per project, and the compensation statement
(补偿明细表). Each as PDF (WeasyPrint, A4; Noto Serif CJK SC with the HanaMin fonts as fallback
for the CJK extension planes, core.fonts) and the first two as .docx. A PDF whose text has a
character no font can show is not issued: `MissingGlyphs` names the character and the document.

The office's template is rendered by Django's template engine from a string, in a restricted
engine: only a few harmless tags and filters (no {% load %}, {% include %}, {% debug %} or
anything that reaches files, settings or code), with autoescape on, and its literal text
escaped too, so the result is safe HTML whatever the office typed. The context holds only
strings and lists of dicts of strings computed here: a placeholder cannot reach a model.

Every amount is given in figures and in Chinese capitals (cn2an, e.g. 壹拾贰万叁仟肆佰伍拾陆元整).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import cn2an
from django.core.exceptions import ValidationError
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters
from django.template import defaulttags as tags
from django.template.base import TextNode
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from compensation.models import (
    Agreement,
    CompensationBreakdown,
    DocumentTemplate,
    LedgerEntry,
)
from core.fonts import PDF_FONT_FAMILY, ensure_printable
from core.formatting import cn_date
from core.masking import mask_address, mask_id_number, mask_name
from core.models import Office
from projects import legal
from projects.models import CompensationDecision, Household

# The font Word documents name (the PDF has fallbacks, core.fonts.PDF_FONT_FAMILY).
PDF_FONT = "Noto Serif CJK SC"

# ---------------------------------------------------------------------------
# The restricted template engine

safe_library = Library()
for _name in ("if", "for", "with", "comment", "spaceless", "cycle", "firstof", "now"):
    safe_library.tag(
        _name, getattr(tags, {"if": "do_if", "for": "do_for", "with": "do_with"}.get(_name, _name))
    )
for _name in (
    "default",
    "linebreaksbr",
    "length",
    "first",
    "last",
    "join",
    "upper",
    "lower",
    "truncatechars",
    "add",
    "center",
    "ljust",
    "rjust",
    "cut",
    "yesno",
):
    safe_library.filter(_name, getattr(defaultfilters, _name))


class RestrictedEngine(Engine):
    # Django's default builtins include the loader tags ({% include %}, {% extends %}) and every
    # default tag ({% load %}, {% debug %}); the office's templates get only `safe_library`.
    default_builtins: list[str] = []

    def get_template_builtins(self, builtins):
        return [safe_library]


ENGINE = RestrictedEngine(dirs=[], app_dirs=False, libraries={}, autoescape=True, loaders=[])

PLACEHOLDER_RE = re.compile(r"{{\s*([^\s|}.]+)")
FOR_RE = re.compile(r"{%\s*for\s+(.+?)\s+in\s")


def _compile(source: str):
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise ValidationError(_("模板有语法错误：%(error)s") % {"error": error}) from error
    # Escape the office's literal text as well, so the rendered result is safe HTML.
    for node in template.nodelist.get_nodes_by_type(TextNode):
        node.s = escape(node.s)
    return template


def validate_template(source: str, kind: str) -> None:
    """A template must compile in the restricted engine and name only known placeholders."""
    _compile(source)
    loop_names = set()
    for names in FOR_RE.findall(source):
        loop_names |= {name.strip() for name in names.split(",")}
    known = set(placeholder_names(kind)) | loop_names | {"forloop"}
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(source)} - known)
    if unknown:
        raise ValidationError(
            _("模板中有未知的占位符：%(names)s。可用的占位符见页面说明。")
            % {"names": "、".join(unknown)}
        )


def render_template(source: str, context: dict) -> SafeString:
    return mark_safe(_compile(source).render(Context(context, autoescape=True)))  # noqa: S308  (literal text and values are escaped above)


# ---------------------------------------------------------------------------
# Figures


def capital(amount: Decimal) -> str:
    """An amount in Chinese capital numerals: 123456 → 壹拾贰万叁仟肆佰伍拾陆元整.

    Never "负…": a negative amount is a deduction (a breakdown line for the flats a swap
    household receives) and reads 扣减壹拾贰万元整; a total that the household pays is stated
    by the document in words (`_amounts` gives the absolute amount and who pays it)."""
    amount = Decimal(amount)
    if amount < 0:
        return _("扣减") + cn2an.an2cn(f"{-amount:.2f}", "rmb")
    return cn2an.an2cn(f"{amount:.2f}", "rmb")


def total_capital(amount: Decimal) -> str:
    """A total in capitals saying who pays: 壹万元整, or 被征收人应补交壹万元整 when negative."""
    amount = Decimal(amount)
    if amount < 0:
        return _("被征收人应补交") + capital(-amount)
    return capital(amount)


def figure(amount: Decimal) -> str:
    return f"{Decimal(amount):,.2f}"


def difference_words(amount: Decimal | None, capitals: bool = True) -> str:
    """A signed amount the office owes (positive) or the household pays (negative), as pages and
    documents state it, never as a bare minus: "应付被征收人 12,000.00 元（大写：壹万贰仟元整）",
    "被征收人应补交 12,000.00 元（大写：…）", "两清，无差价" at zero, "" for None. Without
    `capitals` the （大写：…） part is left out."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    if amount == 0:
        return _("两清，无差价")
    words = {"amount": figure(abs(amount)), "capital": capital(abs(amount))}
    if not capitals:
        if amount > 0:
            return _("应付被征收人 %(amount)s 元") % words
        return _("被征收人应补交 %(amount)s 元") % words
    if amount > 0:
        return _("应付被征收人 %(amount)s 元（大写：%(capital)s）") % words
    return _("被征收人应补交 %(amount)s 元（大写：%(capital)s）") % words


def _amounts(prefix: str, amount: Decimal) -> dict[str, str]:
    """`prefix`: the amount in figures, `prefix大写`: in capitals, both of the absolute amount,
    and `prefix由乙方支付`: "是" when the amount is negative (the household pays it, e.g. a swap
    household whose new flats are worth more than its compensation), else ""."""
    amount = Decimal(amount)
    return {
        prefix: figure(abs(amount)),
        f"{prefix}大写": capital(abs(amount)),
        f"{prefix}由乙方支付": _("是") if amount < 0 else "",
    }


# The placeholders each kind of document offers, with what they hold (shown on the edit page).
COMMON_PLACEHOLDERS = {
    "单位名称": _("市征收办名称"),
    "征收部门": _("实施征收的区县征收部门"),
    "项目名称": _("项目名称"),
    "项目编号": _("项目编号"),
    "户号": _("户号"),
    "被征收人": _("户主姓名"),
    "身份证号码": _("户主身份证号码"),
    "房屋坐落": _("房屋坐落"),
    "房屋用途": _("住宅/非住宅"),
    "建筑面积": _("建筑面积（平方米）"),
    "补偿方式": _("货币补偿/产权调换"),
    "调换面积": _("产权调换房屋面积（平方米）"),
    "方案版本": _("测算所依据的补偿方案版本"),
    "评估报告编号": _("分户评估报告编号"),
    "评估单价": _("评估单价（元/平方米）"),
    "评估价值": _("评估价值（元）"),
    "明细": _(
        "补偿明细列表，每行有 序号、项目、计算依据、金额（绝对值）、大写（扣减的写“扣减…”）、"
        "待结算（产权调换尚未选房、差价待补充协议结算时为“是”）"
    ),
    "补偿合计": _("补偿合计（元），另有 补偿合计大写"),
    "困难补助": _("困难补助（元），另有 困难补助大写"),
    "应付合计": _("应付合计（元），另有 应付合计大写"),
    "测算说明": _("测算说明"),
    "今天": _("生成日期"),
}
AGREEMENT_PLACEHOLDERS = {
    "协议编号": _("协议编号"),
    "当事人": _("本协议的乙方（被征收人、承租人或产权单位）"),
    "当事人身份": _("被征收人/承租人/产权单位"),
    "协议金额": _(
        "本协议金额（元），另有 协议金额大写；产权调换乙方应补交差价时 协议金额由乙方支付 为“是”，"
        "金额及大写均为乙方应付的数额"
    ),
    "签订日期": _("签订日期"),
}
SETTLEMENT_PLACEHOLDERS = {
    "协议": _("协议列表，每项有 协议编号、当事人、金额、大写"),
    "补充协议": _("补充协议列表，每项有 编号、事由、金额、大写"),
    "已划拨": _("已划拨合计（元），另有 已划拨大写"),
    "未付": _("尚未划拨（元），另有 未付大写"),
    "划拨记录": _("划拨记录列表，每项有 日期、收款方、用途、金额、大写"),
}


# The compensation decision (补偿决定书) and its announcement (补偿决定公告): the decision's own
# facts, the household's, and the rights, periods and bodies the household may apply to.
DECISION_PLACEHOLDERS = {
    "单位名称": COMMON_PLACEHOLDERS["单位名称"],
    "区县": _("作出决定的区县（如 双清区）"),
    "征收部门": COMMON_PLACEHOLDERS["征收部门"],
    "项目名称": COMMON_PLACEHOLDERS["项目名称"],
    "项目编号": COMMON_PLACEHOLDERS["项目编号"],
    "户号": COMMON_PLACEHOLDERS["户号"],
    "被征收人": _("户主姓名（公告中隐去部分字）"),
    "身份证号码": _("户主身份证号码（公告中隐去部分数字）"),
    "房屋坐落": _("房屋坐落（公告中只到楼栋）"),
    "房屋用途": COMMON_PLACEHOLDERS["房屋用途"],
    "建筑面积": COMMON_PLACEHOLDERS["建筑面积"],
    "决定书文号": _("补偿决定书文号"),
    "作出日期": _("补偿决定作出日期"),
    "补偿金额": _("补偿金额（元），另有 补偿金额大写"),
    "明细": _(
        "补偿明细列表（该户现行补偿明细合计与决定金额一致时），"
        "每行有 序号、项目、计算依据、金额、大写"
    ),
    "复议机关": _("行政复议机关"),
    "复议期限": _("申请行政复议的期限（如 60日）"),
    "受理法院": _("管辖法院"),
    "起诉期限": _("提起行政诉讼的期限（如 6个月）"),
    "公告日期": _("公告发布日期（公告用）"),
    "今天": COMMON_PLACEHOLDERS["今天"],
}
DECISION_KINDS = (DocumentTemplate.Kind.DECISION, DocumentTemplate.Kind.DECISION_NOTICE)


# Kinds another app fills (resettlement: 选房确认书, 入住通知单): kind -> (placeholders, the
# amounts that have 大写 and 由乙方支付 companions, the directory of its default template).
_REGISTERED_KINDS: dict[str, tuple[dict, tuple[str, ...], Path]] = {}


def register_kind(kind: str, placeholders: dict, amounts: tuple[str, ...], template_dir: Path):
    """Let the template edit page and `validate_template` know another app's document kind
    (a DocumentTemplate.Kind value); its default template is `template_dir / f"{kind}.txt"`."""
    _REGISTERED_KINDS[kind] = (placeholders, tuple(amounts), template_dir)


def _placeholders(kind: str) -> dict:
    if kind in _REGISTERED_KINDS:
        return _REGISTERED_KINDS[kind][0]
    if kind in DECISION_KINDS:
        return DECISION_PLACEHOLDERS
    extra = AGREEMENT_PLACEHOLDERS if kind == "agreement" else SETTLEMENT_PLACEHOLDERS
    return {**COMMON_PLACEHOLDERS, **extra}


def placeholder_names(kind: str) -> list[str]:
    names = list(_placeholders(kind))
    amounts = (
        _REGISTERED_KINDS[kind][1]
        if kind in _REGISTERED_KINDS
        else ("补偿金额",)
        if kind in DECISION_KINDS
        else ("补偿合计", "困难补助", "应付合计", "协议金额", "已划拨", "未付")
    )
    return (
        names
        + [f"{amount}大写" for amount in amounts]
        + [f"{amount}由乙方支付" for amount in amounts]
    )


def placeholder_help(kind: str) -> list[tuple[str, str]]:
    return [(name, str(text)) for name, text in _placeholders(kind).items()]


# The templates a project starts from until the office edits its own (plain text files, so
# that they read as the documents they make).
DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parent / "default_templates"


def default_template(kind: str) -> str:
    if kind in _REGISTERED_KINDS:
        return (_REGISTERED_KINDS[kind][2] / f"{kind}.txt").read_text("utf-8")
    return (DEFAULT_TEMPLATE_DIR / f"{DocumentTemplate.Kind(kind).value}.txt").read_text("utf-8")


def template_source(project, kind: str) -> str:
    stored = DocumentTemplate.objects.filter(project=project, kind=kind).first()
    return stored.body if stored else default_template(kind)


# ---------------------------------------------------------------------------
# Contexts


def _line_rows(breakdown: CompensationBreakdown) -> list[dict[str, str]]:
    return [
        {
            "序号": str(number),
            "项目": line.label,
            "计算依据": line.basis,
            "金额": figure(abs(line.amount)),
            "大写": capital(line.amount),
            "待结算": _("是") if line.code == "swap_difference" and not line.amount else "",
        }
        for number, line in enumerate(breakdown.lines.all(), start=1)
    ]


def _common(household: Household, breakdown: CompensationBreakdown, today) -> dict:
    project = household.project
    valuation = breakdown.valuation
    district = project.district
    context = {
        "单位名称": Office.current_name(),
        "征收部门": district.office_name or district.name,
        "项目名称": project.name,
        "项目编号": project.code,
        "户号": household.code,
        "被征收人": household.head_name,
        "身份证号码": household.id_number,
        "房屋坐落": household.address,
        "房屋用途": household.get_use_display(),
        "建筑面积": figure(household.area),
        "补偿方式": Household.Method(breakdown.method).label,
        "调换面积": figure(breakdown.swap_area) if breakdown.swap_area else "",
        "方案版本": str(breakdown.plan.version),
        "评估报告编号": valuation.report_number,
        "评估单价": figure(valuation.unit_price),
        "评估价值": figure(valuation.appraised_value),
        "明细": _line_rows(breakdown),
        "测算说明": breakdown.notes,
        "今天": cn_date(today),
    }
    context |= _amounts("补偿合计", breakdown.compensation_total)
    context |= _amounts("困难补助", breakdown.subsidy_total)
    context |= _amounts("应付合计", breakdown.total)
    return {
        key: str(value) if not isinstance(value, list) else value for key, value in context.items()
    }


def agreement_context(agreement: Agreement, today) -> dict:
    household = agreement.household
    context = _common(household, agreement.breakdown, today)
    if agreement.party == Agreement.Party.OWNER_UNIT:
        role = _("产权单位")
    elif household.is_public_housing:
        role = _("承租人")
    else:
        role = _("被征收人")
    context |= {
        "协议编号": agreement.number,
        "当事人": agreement.party_name,
        "当事人身份": str(role),
        "签订日期": cn_date(agreement.signed_on) if agreement.signed_on else "　　年　　月　　日",
    }
    context |= _amounts("协议金额", agreement.amount)
    return context


def settlement_context(household: Household, breakdown: CompensationBreakdown, today) -> dict:
    context = _common(household, breakdown, today)
    agreements = list(household.agreements.order_by("party"))
    supplements = [s for a in agreements for s in a.supplements.all()]
    entries = list(
        LedgerEntry.objects.filter(household=household).order_by("occurred_on", "sequence")
    )
    paid = -sum((entry.amount for entry in entries), Decimal("0.00"))
    context |= {
        "协议": [
            {
                "协议编号": a.number,
                "当事人": a.party_name,
                "金额": figure(a.agreed_total),
                "大写": capital(a.agreed_total),
            }
            for a in agreements
        ],
        "补充协议": [
            {
                "编号": s.number,
                "事由": s.reason,
                "金额": figure(s.adjustment),
                "大写": capital(s.adjustment),
            }
            for s in supplements
        ],
        "划拨记录": [
            {
                "日期": cn_date(entry.occurred_on),
                "收款方": entry.payee_name,
                "用途": entry.purpose or entry.get_kind_display(),
                "金额": figure(-entry.amount),
                "大写": capital(-entry.amount),
            }
            for entry in entries
        ],
    }
    due = sum((a.agreed_total for a in agreements), Decimal("0.00")) + breakdown.subsidy_total
    if not agreements:
        due = breakdown.total
    context |= _amounts("已划拨", paid)
    context |= _amounts("未付", max(due - paid, Decimal("0.00")))
    return context


def decision_context(decision: CompensationDecision, today, *, masked: bool) -> dict:
    """The placeholders of a compensation decision or its announcement, all strings (明细 a
    list of dicts of strings, the current breakdown's lines when they add up to the decided
    amount, else empty). `masked`: the announcement is public, so the name, ID number and
    address are masked (core.masking) as on every public page."""
    household = decision.household
    project = household.project
    breakdown = household.breakdowns.filter(is_current=True).first()
    if breakdown is not None and breakdown.total != decision.amount:
        # The decided amount is not the current breakdown's: its lines would not add up to
        # the amount the document states, so the document lists none.
        breakdown = None
    name, id_number, address = household.head_name, household.id_number, household.address
    if masked:
        name, id_number, address = mask_name(name), mask_id_number(id_number), mask_address(address)
    district = project.district
    # The periods the document states: the statutory ones (stating them is what keeps the
    # household's windows at 60 days and 6 months rather than the one-year limits).
    reconsideration = _("%(n)d日") % {"n": legal.clock("RECONSIDERATION_DAYS")}
    suit = _("%(n)d个月") % {"n": legal.clock("SUIT_MONTHS")}
    published_on = decision.announcement.published_on if decision.announcement else None
    context = {
        "单位名称": Office.current_name(),
        "区县": district.name,
        "征收部门": district.office_name or district.name,
        "项目名称": project.name,
        "项目编号": project.code,
        "户号": household.code,
        "被征收人": name,
        "身份证号码": id_number,
        "房屋坐落": address,
        "房屋用途": household.get_use_display(),
        "建筑面积": figure(household.area),
        "决定书文号": decision.number,
        "作出日期": cn_date(decision.decided_on),
        "明细": _line_rows(breakdown) if breakdown else [],
        "复议机关": decision.reconsideration_body or _("有管辖权的行政复议机关"),
        "复议期限": reconsideration,
        "受理法院": decision.court or _("有管辖权的人民法院"),
        "起诉期限": suit,
        "公告日期": cn_date(published_on or today),
        "今天": cn_date(today),
    }
    context |= _amounts("补偿金额", decision.amount)
    return {
        key: str(value) if not isinstance(value, list) else value for key, value in context.items()
    }


def decision_document(
    decision: CompensationDecision, today, kind: str = DocumentTemplate.Kind.DECISION
) -> Document:
    """补偿决定书 (kind decision, the household's full particulars) or 补偿决定公告 (kind
    decision_notice, personal data masked: it is posted publicly), from the project's template."""
    notice = kind == DocumentTemplate.Kind.DECISION_NOTICE
    source = template_source(decision.household.project, kind)
    if notice:
        title, filename = _("房屋征收补偿决定公告"), _("补偿决定公告-%(number)s")
    else:
        title, filename = _("房屋征收补偿决定书"), _("补偿决定书-%(number)s")
    return Document(
        title=title,
        body=render_template(source, decision_context(decision, today, masked=notice)),
        filename=filename % {"number": decision.number},
    )


def announcement_document(decision: CompensationDecision, today) -> Document:
    return decision_document(decision, today, DocumentTemplate.Kind.DECISION_NOTICE)


def announcement_text(decision: CompensationDecision, published_on) -> tuple[str, str]:
    """The announcement's (title, plain-text body) for projects.legal.announce_decision: the
    first non-empty line of the rendered template is the title, the rest the body."""
    lines = announcement_document(decision, published_on).plain_text.strip().split("\n")
    title = lines[0].strip()
    if decision.number not in title:
        # Every announcement of a project has the same heading; the number tells them apart.
        title = f"{title}（{decision.number}）"
    return title[:200], "\n".join(lines[1:]).strip()


# ---------------------------------------------------------------------------
# Output: PDF and .docx


@dataclass(frozen=True)
class Document:
    title: str
    body: SafeString  # the rendered template, safe HTML text with line breaks
    filename: str  # without extension

    @property
    def plain_text(self) -> str:
        return html.unescape(str(self.body))


def agreement_document(agreement: Agreement, today) -> Document:
    source = template_source(agreement.household.project, DocumentTemplate.Kind.AGREEMENT)
    return Document(
        title=_("房屋征收补偿协议"),
        body=render_template(source, agreement_context(agreement, today)),
        filename=_("补偿协议-%(number)s") % {"number": agreement.number},
    )


def settlement_document(household: Household, breakdown: CompensationBreakdown, today) -> Document:
    source = template_source(household.project, DocumentTemplate.Kind.SETTLEMENT)
    return Document(
        title=_("房屋征收补偿结算单"),
        body=render_template(source, settlement_context(household, breakdown, today)),
        filename=_("结算单-%(project)s-%(code)s")
        % {"project": household.project.code, "code": household.code},
    )


def _pdf(html_text: str, *, name: str) -> bytes:
    """The PDF of `html_text`, after checking that every character of its text has a glyph
    in one of the PDF fonts; raises core.fonts.MissingGlyphs naming the document `name`."""
    ensure_printable(html_text, document=name)
    # Imported here: WeasyPrint loads its fonts and libraries on import, which only the
    # document views need.
    from weasyprint import HTML

    return HTML(string=html_text).write_pdf()


def document_pdf(document: Document) -> bytes:
    html_text = render_to_string(
        "compensation/document_pdf.html",
        {"document": document, "font": PDF_FONT_FAMILY, "paragraphs": _paragraphs(document)},
    )
    return _pdf(html_text, name=document.filename)


def _paragraphs(document: Document) -> list[SafeString]:
    # The body is safe HTML (see render_template): split it into lines without re-escaping.
    return [mark_safe(line) for line in str(document.body).split("\n")]  # noqa: S308


def statement_pdf(breakdown: CompensationBreakdown, today) -> bytes:
    """补偿明细表: the breakdown line by line with figures and capitals."""
    household = breakdown.household
    html_text = render_to_string(
        "compensation/statement_pdf.html",
        {
            "household": household,
            "project": household.project,
            "breakdown": breakdown,
            "lines": [
                {"line": line, "capital": capital(line.amount)} for line in breakdown.lines.all()
            ],
            "compensation_capital": total_capital(breakdown.compensation_total),
            "subsidy_capital": capital(breakdown.subsidy_total),
            "total_capital": total_capital(breakdown.total),
            "office": Office.current_name(),
            "today": cn_date(today),
            "font": PDF_FONT_FAMILY,
        },
    )
    return _pdf(
        html_text,
        name=_("补偿明细表-%(project)s-%(code)s")
        % {"project": household.project.code, "code": household.code},
    )


def document_docx(document: Document) -> bytes:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    docx = Docx()
    section = docx.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    style = docx.styles["Normal"]
    style.font.name = PDF_FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), PDF_FONT)
    lines = document.plain_text.split("\n")
    # The first non-empty line is the title.
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines:
        title = docx.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run(lines.pop(0).strip())
        run.bold = True
        run.font.size = Pt(16)
    for line in lines:
        docx.add_paragraph(line)
    buffer = BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
