"""What a swap household sees about its chosen flats after the public look-up (its own record
only, public.lookup): each flat's estate, building, number and area, and the settlement
difference in words. Plugged in with PUBLIC_HOUSEHOLD_SECTIONS."""

from django.utils.translation import gettext as _

from resettlement.summary import settlement_for


def household_section(household) -> dict | None:
    """{"title", "rows": [(label, value), ...]} of the household's own chosen flats, or None
    when it has chosen none. Nothing of another household is read."""
    settlement = settlement_for(household)
    if not settlement.flats:
        return None
    rows = []
    for chosen in settlement.flats:
        flat, building = chosen.flat, chosen.building
        unit = _("%(unit)s单元") % {"unit": flat.unit} if flat.unit else ""
        where = _("%(estate)s %(building)s %(unit)s%(number)s") % {
            "estate": building.estate.name,
            "building": building.name,
            "unit": unit,
            "number": flat.number,
        }
        state = (
            _("已交房（%(day)s）") % {"day": f"{chosen.handover.handed_over_on:%Y-%m-%d}"}
            if chosen.handover
            else flat.get_state_display()
        )
        rows.append(
            (
                _("所选安置房"),
                _("%(where)s，%(area)s 平方米，%(delivery)s，%(state)s")
                % {
                    "where": where,
                    "area": f"{flat.area:,.2f}",
                    "delivery": building.get_delivery_display(),
                    "state": state,
                },
            )
        )
    if settlement.difference is not None:
        rows.append((_("产权调换差价"), settlement.difference_words))
    return {"title": _("产权调换安置房"), "rows": rows}
