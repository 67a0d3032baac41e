"""The property-swap documents, from templates the office edits per project on compensation's
template page and rendered through compensation's machinery (its restricted engine, PDF and
.docx): the 选房确认书 (selection confirmation) and the 入住通知单 (move-in notice at the
hand-over). Every amount is given in figures and in Chinese capitals; a difference the
household pays is stated as such (差价由乙方支付 "是"), never as "负…".

`register()` (from the app's ready()) tells compensation.documents the two kinds' placeholders
and where their default templates are (resettlement/default_templates/*.txt).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import documents as base
from compensation.documents import Document, capital, figure
from compensation.models import Agreement, DocumentTemplate
from core.formatting import cn_date
from core.models import Office
from projects.models import CompensationPlan, Household
from resettlement.models import Handover, Selection
from resettlement.settlement import swap_rules
from resettlement.summary import settlement_for

SWAP_SELECTION = DocumentTemplate.Kind.SWAP_SELECTION
MOVE_IN_NOTICE = DocumentTemplate.Kind.MOVE_IN_NOTICE
TEMPLATE_DIR = Path(__file__).resolve().parent / "default_templates"

CONFIRMATION_PLACEHOLDERS = {
    "单位名称": _("市征收办名称"),
    "征收部门": _("实施征收的区县征收部门"),
    "项目名称": _("项目名称"),
    "项目编号": _("项目编号"),
    "户号": _("户号"),
    "被征收人": _("户主姓名"),
    "身份证号码": _("户主身份证号码"),
    "房屋坐落": _("被征收房屋坐落"),
    "建筑面积": _("被征收房屋建筑面积（平方米）"),
    "顺序号": _("选房顺序号"),
    "选房日期": _("选定房屋的日期"),
    "房屋": _(
        "所选房屋列表，每项有 序号、房屋、小区、楼栋、单元、房号、户型、面积、房屋状态、交付、"
        "安置价、市场价"
    ),
    "所选面积": _("所选房屋合计建筑面积（平方米）"),
    "应安置面积": _("按补偿方案的应安置面积（以旧换新，平方米）"),
    "超出面积": _("超出应安置面积的面积（平方米）"),
    "差价明细": _(
        "房屋差价的计算各行（被征收房屋价值与所选安置房价款），每行有 序号、项目、计算依据、"
        "金额、大写"
    ),
    "差价": _(
        "房屋差价（被征收房屋价值减所选安置房价款，元，绝对值；不含临时安置费等其他补偿），"
        "另有 差价大写；被征收人应补交时 差价由乙方支付 为“是”"
    ),
    "差价说明": _("房屋差价的文字说明（应付被征收人……/被征收人应补交……）"),
    "确认日期": _("确认书日期（选定房屋之日）"),
    "已签协议": _("选房前已签订产权调换协议时为“是”（差价以补充协议结算）"),
    "今天": _("生成日期"),
}
MOVE_IN_PLACEHOLDERS = {
    "单位名称": CONFIRMATION_PLACEHOLDERS["单位名称"],
    "征收部门": CONFIRMATION_PLACEHOLDERS["征收部门"],
    "项目名称": CONFIRMATION_PLACEHOLDERS["项目名称"],
    "户号": CONFIRMATION_PLACEHOLDERS["户号"],
    "被征收人": CONFIRMATION_PLACEHOLDERS["被征收人"],
    "房屋": _("交付的房屋（小区、楼栋、单元、房号）"),
    "户型": _("户型"),
    "面积": _("建筑面积（平方米）"),
    "楼栋交付日期": _("楼栋竣工交付日期"),
    "交房日期": _("交房（移交钥匙）日期"),
    "钥匙": _("移交的钥匙（把）"),
    "办理地点": _("办理入住的地点（安置小区及其地址）"),
    "经办人": _("登记交房的工作人员"),
    "今天": _("生成日期"),
}


def register() -> None:
    """Called from ResettlementConfig.ready()."""
    base.register_kind(SWAP_SELECTION, CONFIRMATION_PLACEHOLDERS, ("差价",), TEMPLATE_DIR)
    base.register_kind(MOVE_IN_NOTICE, MOVE_IN_PLACEHOLDERS, (), TEMPLATE_DIR)


def _strings(context: dict) -> dict:
    return {k: v if isinstance(v, list) else str(v) for k, v in context.items()}


def confirmation_context(household: Household, today: date) -> dict:
    """The 选房确认书's placeholders (CONFIRMATION_PLACEHOLDERS), all strings or lists of dicts
    of strings. Raises ValidationError when the household has chosen no flat."""
    settlement = settlement_for(household, today)
    if not settlement.flats:
        raise ValidationError(
            _("%(code)s 户尚未选定安置房，不能出具选房确认书。") % {"code": household.code}
        )
    project = household.project
    district = project.district
    plan = project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    rules = swap_rules(plan) if plan else None
    entitlement = rules.entitlement(household.area) if rules else None
    first = settlement.flats[0].selection
    selected_on = timezone.localdate(first.selected_at)
    # A swap agreement signed on or before the selection day: the confirmation leads to a
    # supplement settling the difference (compensation.supplements), not to a new agreement.
    signed_before = (
        Agreement.objects.signed_swap()
        .filter(household=household, signed_on__lte=selected_on)
        .exists()
    )
    flats = []
    for number, chosen in enumerate(settlement.flats, start=1):
        flat, building = chosen.flat, chosen.building
        if building.delivered_on:
            delivery = _("已于%(day)s交付") % {"day": cn_date(building.delivered_on)}
        elif building.expected_delivery_on:
            delivery = _("预计%(day)s交付") % {"day": cn_date(building.expected_delivery_on)}
        else:
            delivery = _("待交付")
        flats.append(
            {
                "序号": str(number),
                "房屋": str(flat),
                "小区": building.estate.name,
                "楼栋": building.name,
                "单元": flat.unit,
                "房号": flat.number,
                "户型": flat.layout or "—",
                "面积": figure(flat.area),
                "房屋状态": building.get_delivery_display(),
                "交付": str(delivery),
                "安置价": figure(chosen.price.resettlement_price) if chosen.price else "—",
                "市场价": figure(chosen.price.market_price) if chosen.price else "—",
            }
        )
    difference = settlement.difference
    context = {
        "单位名称": Office.current_name(),
        "征收部门": district.office_name or district.name,
        "项目名称": project.name,
        "项目编号": project.code,
        "户号": household.code,
        "被征收人": household.head_name,
        "身份证号码": household.id_number,
        "房屋坐落": household.address,
        "建筑面积": figure(household.area),
        "顺序号": str(first.order.number) if first.order else "—",
        "选房日期": cn_date(selected_on),
        "房屋": flats,
        "所选面积": figure(settlement.area),
        "应安置面积": figure(entitlement) if entitlement is not None else "—",
        "超出面积": figure(max(settlement.area - entitlement, Decimal(0)))
        if entitlement is not None
        else "0.00",
        "差价明细": [
            {
                "序号": str(number),
                "项目": line.label,
                "计算依据": line.basis,
                "金额": figure(abs(line.amount)),
                "大写": capital(line.amount),
            }
            for number, line in enumerate(settlement.swap_lines, start=1)
        ],
        "差价说明": settlement.difference_words,
        "确认日期": cn_date(selected_on),
        "已签协议": _("是") if signed_before else "",
        "今天": cn_date(today),
    }
    if difference is None:
        context |= {"差价": "", "差价大写": "", "差价由乙方支付": ""}
    else:
        context |= base._amounts("差价", difference)
    return _strings(context)


def confirmation_document(household: Household, today: date) -> Document:
    """选房确认书 from the project's template (DocumentTemplate kind swap_selection)."""
    source = base.template_source(household.project, SWAP_SELECTION)
    return Document(
        title=_("产权调换选房确认书"),
        body=base.render_template(source, confirmation_context(household, today)),
        filename=_("选房确认书-%(project)s-%(code)s")
        % {"project": household.project.code, "code": household.code},
    )


def move_in_context(selection: Selection, today: date) -> dict:
    """The 入住通知单's placeholders. Raises ValidationError when the flat is not handed over."""
    handover = Handover.objects.filter(selection=selection).select_related("recorded_by").first()
    if handover is None:
        raise ValidationError(
            _("%(flat)s 尚未登记交房，不能出具入住通知单。") % {"flat": selection.flat}
        )
    household = selection.household
    project = household.project
    district = project.district
    flat = selection.flat
    building = flat.building
    estate = building.estate
    place = f"{estate.name}（{estate.address}）" if estate.address else estate.name
    return _strings(
        {
            "单位名称": Office.current_name(),
            "征收部门": district.office_name or district.name,
            "项目名称": project.name,
            "户号": household.code,
            "被征收人": household.head_name,
            "房屋": str(flat),
            "户型": flat.layout or "—",
            "面积": figure(flat.area),
            "楼栋交付日期": cn_date(building.delivered_on),
            "交房日期": cn_date(handover.handed_over_on),
            "钥匙": str(handover.keys),
            "办理地点": place,
            "经办人": handover.recorded_by.get_full_name() or handover.recorded_by.username,
            "今天": cn_date(today),
        }
    )


def move_in_document(selection: Selection, today: date) -> Document:
    """入住通知单 of one handed-over flat (DocumentTemplate kind move_in_notice)."""
    household = selection.household
    source = base.template_source(household.project, MOVE_IN_NOTICE)
    return Document(
        title=_("入住通知单"),
        body=base.render_template(source, move_in_context(selection, today)),
        filename=_("入住通知单-%(code)s-%(flat)s")
        % {"code": household.code, "flat": selection.flat},
    )
