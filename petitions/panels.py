"""The petitions card of the projects dashboard (registered in PetitionsConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.panels import Panel


def due_panel(*, due: int, overdue: int, days: int) -> list[Panel]:
    """Cases due within `days` (the week) or overdue, as of today (whatever the dashboard's
    year); core.due counts them with the other cards of stored clocks."""
    return [
        Panel(
            title=_("信访件到期提醒"),
            value=due,
            unit=_("件"),
            note=_("%(days)d日内到期或已逾期，其中逾期%(overdue)d件")
            % {"days": days, "overdue": overdue},
            url=reverse("petitions:petition_due"),
            tone="alert" if overdue else ("warn" if due else ""),
        )
    ]
