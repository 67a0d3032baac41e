"""What the public household look-up shows a household about its own valuation."""

from django.utils import timezone
from django.utils.translation import gettext as _

from appraisers.clocks import recheck_request_deadline
from appraisers.services import current_valuation
from core.formatting import cn_date


def household_section(household) -> dict | None:
    valuation = current_valuation(household)
    if valuation is None:
        return None
    rows = [
        (_("估价机构"), valuation.firm.name),
        (_("评估报告编号"), valuation.report_number),
        (_("评估单价（元/平方米）"), f"{valuation.unit_price:,.2f}"),
        (_("评估价值（元）"), f"{valuation.appraised_value:,.2f}"),
        (_("估价时点"), cn_date(valuation.valued_on)),
    ]
    if valuation.delivered_on:
        rows.append((_("报告送达日期"), cn_date(valuation.delivered_on)))
        window = recheck_request_deadline(valuation)
        if window is not None and not window.has_expired(timezone.localdate()):
            rows.append((_("申请复核截止日期"), cn_date(window.due)))
    rows.append((_("来源"), valuation.get_source_display()))
    return {"title": _("分户评估结果"), "rows": rows}
