"""What the public disclosure site (another app) reads from the compensation fund. Nothing here
shows a name, an ID number or a phone number.

- `fund_hashes(day=None)`: each fund's latest ledger hash as published on a day (the public
  page lists them daily, so an auditor can hold the office to the ledger).
- `household_section(household)`: for the household's own look-up (Decree 590 art. 29), its
  compensation due, paid and unpaid; plug it in with
  PUBLIC_HOUSEHOLD_SECTIONS = ["compensation.public.household_section"].
"""

from datetime import date

from django.utils.translation import gettext as _

from compensation import ledger, reports
from compensation.models import Agreement


def fund_hashes(*, day: date | None = None) -> list[ledger.PublishedHash]:
    return ledger.published_hashes(day=day)


def household_section(household) -> dict | None:
    figures = reports.household_figures(household)
    if not figures["has_breakdown"] and not figures["paid"]:
        return None
    rows = []
    if figures["has_breakdown"] and figures["due"] < 0:
        # A swap household whose new flats are worth more: it pays, said in words.
        rows.append((_("被征收人应补交差价（元）"), f"{-figures['due']:,.2f}"))
    elif figures["has_breakdown"]:
        rows.append((_("应得补偿（元）"), f"{figures['due']:,.2f}"))
    rows.append((_("已划拨（元）"), f"{figures['paid']:,.2f}"))
    if figures["has_breakdown"] and figures["due"] >= 0:
        rows.append((_("尚未划拨（元）"), f"{figures['unpaid']:,.2f}"))
    for agreement in household.agreements.order_by("party"):
        rows.append(
            (
                _("补偿协议 %(number)s") % {"number": agreement.number},
                Agreement.Status(agreement.status).label,
            )
        )
    breakdown = household.breakdowns.current().first()
    if breakdown is not None:
        for line in breakdown.lines.order_by("position"):
            label = f"{line.label}（{line.basis}）" if line.basis else line.label
            amount = (
                _("扣减 %(amount)s") % {"amount": f"{-line.amount:,.2f}"}
                if line.amount < 0
                else f"{line.amount:,.2f}"
            )
            rows.append((label, amount))
    return {"title": _("补偿款"), "rows": rows, "amounts": True}
