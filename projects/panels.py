"""The projects app's own cards on the dashboard: running clocks and open hazards."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import due
from core.panels import Panel, panel_provider
from core.scoping import visible_to
from projects.models import Hazard


@panel_provider
def deadline_panels(*, year: int, user) -> list[Panel]:
    today = timezone.localdate()
    rows = due.shown(
        user, today=today, until=today + timedelta(days=settings.DEADLINES_LOOKAHEAD_DAYS)
    )
    counts = rows.aggregate(all=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    overdue = counts["overdue"]
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
            value=counts["all"] - overdue,
            unit=_("项"),
            note=_("今后%(days)s日内") % {"days": settings.DEADLINES_LOOKAHEAD_DAYS},
            url=url,
        ),
    ]


@panel_provider
def hazard_panels(*, year: int, user) -> list[Panel]:
    counts = (
        visible_to(Hazard, user)
        .filter(inspection__started_on__year=year)
        .aggregate(
            found=Count("pk"), still_open=Count("pk", filter=~Q(status=Hazard.Status.RECTIFIED))
        )
    )
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
