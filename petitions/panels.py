"""The petitions card of the projects dashboard (registered in PetitionsConfig.ready)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.panels import Panel
from petitions import deadlines
from petitions.clocks import due_counts


def due_panel(*, year: int, user) -> list[Panel]:
    """Cases due within the week or overdue, as of today (whatever the dashboard's year)."""
    today = timezone.localdate()
    soon = deadlines.period("PETITION_DUE_SOON_DAYS")
    counts = due_counts(user, today=today, until=today + timedelta(days=soon))
    overdue = counts["overdue"]
    return [
        Panel(
            title=_("信访件到期提醒"),
            value=counts["due"],
            unit=_("件"),
            note=_("%(days)d日内到期或已逾期，其中逾期%(overdue)d件")
            % {"days": soon, "overdue": overdue},
            url=reverse("petitions:petition_due"),
            tone="alert" if overdue else ("warn" if counts["due"] else ""),
        )
    ]
