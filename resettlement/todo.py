"""House selection on people's to-do lists (core.todo): a published order whose selection day
is today or within the coming week, for 业务科 and the project's own district office."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core.formatting import cn_date
from core.roles import Section
from core.scoping import visible_to
from core.todo import TodoItem
from resettlement.models import SelectionRound

LOOK_AHEAD_DAYS = 7


def todo_items(user, *, today) -> list[TodoItem]:
    if user.is_office_staff and not user.in_section(Section.OPERATIONS):
        return []
    rounds = (
        visible_to(SelectionRound.objects.all(), user)
        .filter(notice__published_on__isnull=False)
        .exclude(state=SelectionRound.State.CLOSED)
        .filter(
            Q(selection_on__gte=today, selection_on__lte=today + timedelta(days=LOOK_AHEAD_DAYS))
            | Q(state=SelectionRound.State.OPEN)
        )
        .select_related("project")
        .order_by("selection_on", "pk")
    )
    items = []
    for selection_round in rounds:
        if selection_round.selection_on == today or selection_round.state == "open":
            kind = _("今日选房")
        else:
            kind = _("即将选房")
        day = cn_date(selection_round.selection_on) if selection_round.selection_on else "—"
        items.append(
            TodoItem(
                "day",
                kind,
                _("%(project)s 选房日：%(day)s")
                % {"project": selection_round.project.name, "day": day},
                reverse("resettlement:selection_round", args=[selection_round.pk]),
                selection_round.selection_on,
            )
        )
    return items
