"""The projects app's own cards on the dashboard: running clocks and open hazards."""

from datetime import date

from django.conf import settings
from django.db.models import Count, Q, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from core import due
from core.compiled import CompiledValues
from core.panels import Panel, panel_provider
from core.scoping import scope, scoped
from projects.models import Hazard


def deadline_panels(*, due: int, overdue: int, days: int) -> list[Panel]:
    """The overdue clocks and those falling due within `days` (core.due counts them)."""
    url = reverse("core:deadline_list")
    return [
        Panel(
            title=_("已逾期事项"),
            value=overdue,
            unit=_("项"),
            note=_("截至今日"),
            url=url,
            tone="alert" if overdue else "",
        ),
        Panel(
            title=_("即将到期事项"),
            value=due - overdue,
            unit=_("项"),
            note=_("今后%(days)s日内") % {"days": days},
            url=url,
        ),
    ]


# Counted with the other apps' cards of stored clocks, in one query (core.due.card_panels).
due.register_card(
    "core.deadlines", days=lambda: settings.DEADLINES_LOOKAHEAD_DAYS, panels=deadline_panels
)


@panel_provider
def hazard_panels(*, year: int, user) -> list[Panel]:
    """The hazards `user` may see found by the inspections started in `year`, and how many of
    them are not rectified (one query, its SQL written once: core.compiled)."""
    district = scope(user)
    if district is None:
        found = still_open = 0
    else:
        (counts,) = _hazard_counts(date(year, 1, 1), date(year, 12, 31), *district)
        found, still_open = counts["found"], counts["still_open"]
    return [
        Panel(
            title=_("安全隐患"),
            value=still_open,
            unit=_("处未整改"),
            note=_("本年度排查出%(found)s处") % {"found": found},
            url=reverse("projects:inspection_list"),
            tone="warn" if still_open else "",
        )
    ]


@CompiledValues
def _hazard_counts(first: date, last: date, *district: int):
    """One row: the hazards in the scope `district` (core.scoping.scope) of the inspections
    started from `first` to `last` (`found`), and those not rectified (`still_open`). The
    year's first and last days, not `__year`, which makes dates of its parameter: Django's
    `__year` lookup is this BETWEEN."""
    return (
        scoped(Hazard.objects.all(), district)
        .filter(inspection__started_on__range=(first, last))
        # A constant to group by: `.values()` then aggregates over every row, without a
        # GROUP BY (one row, zeros when none matches).
        .annotate(every=Value(1))
        .values("every")
        .annotate(
            found=Count("pk"), still_open=Count("pk", filter=~Q(status=Hazard.Status.RECTIFIED))
        )
        .order_by()
    )
