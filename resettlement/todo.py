"""House selection on people's to-do lists (core.todo): a published order whose selection day
is today or within the coming week, for 业务科 and the project's own district office; and, for
业务科, every swap household that signed before choosing its flats and whose agreement still
differs from what the calculation gives with the chosen flats (选房后差价需签补充协议)."""

from datetime import timedelta

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from compensation.models import Agreement, CompensationBreakdown
from compensation.supplements import swap_due_or_error
from core.formatting import cn_date
from core.roles import Section
from core.scoping import visible_to
from core.todo import TodoItem
from projects.models import Household
from resettlement.models import Selection, SelectionRound

LOOK_AHEAD_DAYS = 7


def todo_items(user, *, today) -> list[TodoItem]:
    if user.is_office_staff and not user.in_section(Section.OPERATIONS):
        return []
    items = _selection_days(user, today)
    if user.is_office_staff:
        items += _swap_supplements(user)
    return items


def _swap_supplements(user) -> list[TodoItem]:
    """Signed swap agreements whose household has chosen flats and that still need a 补充协议.
    Those already settled (a current swap breakdown computed after the last pick that the
    agreement and its supplements match) are left out without computing; the rest are
    computed (`compensation.supplements.swap_supplement_due`)."""
    agreements = list(
        visible_to(Agreement.objects.all(), user)
        .filter(party=Agreement.Party.HOUSEHOLD, method=Household.Method.SWAP)
        .exclude(status=Agreement.Status.DRAFT)
        .filter(household__selections__is_active=True)
        .distinct()
        .select_related("household__project")
        .order_by("household__project__code", "household__code")
    )
    ids = [agreement.household_id for agreement in agreements]
    last_pick = dict(
        Selection.objects.active()
        .filter(household_id__in=ids)
        .values("household_id")
        .annotate(last=Max("selected_at"))
        .values_list("household_id", "last")
    )
    current = {
        breakdown.household_id: breakdown
        for breakdown in CompensationBreakdown.objects.current().filter(household_id__in=ids)
    }
    items = []
    for agreement in agreements:
        breakdown = current.get(agreement.household_id)
        if (
            breakdown is not None
            and breakdown.method == Household.Method.SWAP
            and breakdown.computed_at >= last_pick[agreement.household_id]
            and breakdown.tenant_share == agreement.agreed_total
        ):
            continue
        due, error = swap_due_or_error(agreement)
        if due is None and error is None:
            continue
        household = agreement.household
        items.append(
            TodoItem(
                "day",
                _("选房后差价需签补充协议"),
                _("%(project)s %(code)s户 协议%(number)s")
                % {
                    "project": household.project.name,
                    "code": household.code,
                    "number": agreement.number,
                },
                agreement.get_absolute_url(),
                agreement.signed_on,
                note=due.words if due else "；".join(error),
            )
        )
    return items


def _selection_days(user, today) -> list[TodoItem]:
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
