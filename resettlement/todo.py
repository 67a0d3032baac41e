"""House selection on people's to-do lists (core.todo): a published order whose selection day
is today or within the coming week, for 业务科 and the project's own district office; and, for
业务科, every swap household that signed before choosing its flats and whose agreement still
differs from what the calculation gives with the chosen flats (选房后差价需签补充协议)."""

from datetime import timedelta

from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Round
from django.urls import reverse
from django.utils.translation import gettext as _

from compensation.models import Agreement, CompensationBreakdown
from compensation.supplements import swap_due_or_error
from core.compiled import CompiledValues
from core.formatting import cn_date
from core.roles import Section
from core.scoping import scope, scoped, visible_to
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


@CompiledValues
def _unsettled_swap_agreements():
    """The ids of the signed swap agreements whose household has chosen flats, less those the
    query shows settled (a current swap breakdown computed after the last pick that the
    agreement and its supplements match): one query, whose SQL the ORM writes once per
    process (it runs for the navigation's count after every page of 业务科's; writing it
    cost more than running it, about 4 ms of CPU)."""
    last_pick = (
        Selection.objects.filter(household=OuterRef("household_id"), is_active=True)
        .order_by()
        .values("household")
        .annotate(last=Max("selected_at"))
        .values("last")
    )
    # Agreement.agreed_total, compared to the fen: SQLite (`make run`) stores decimals as
    # floating point, where amount + adjustment can miss the stored share by a float's tail
    # (0.1 + 0.2 is not 0.3); PostgreSQL's numeric is exact, and rounding two-place amounts
    # to two places changes nothing there.
    agreed = Round(OuterRef("amount") + OuterRef("adjustment"), 2)
    settled = (
        CompensationBreakdown.objects.current()
        .alias(share=Round("tenant_share", 2))
        .filter(
            household=OuterRef("household_id"),
            method=Household.Method.SWAP,
            computed_at__gte=OuterRef("last_pick"),
            share=agreed,
        )
    )
    return (
        Agreement.objects.signed_swap()
        .annotate(last_pick=Subquery(last_pick))
        .filter(last_pick__isnull=False)  # flats chosen
        .exclude(Exists(settled))
        .order_by()
        .values("pk")
    )


def swap_agreements_to_compute(user) -> list[Agreement]:
    """The signed swap agreements `user` may see whose household has chosen flats, less those
    the query shows settled, without computing or even reading them (see
    `_unsettled_swap_agreements`): nearly every such agreement is settled, and then nothing
    more is read. Ordered by project and household code."""
    unsettled = [row["pk"] for row in _unsettled_swap_agreements()]
    if not unsettled:
        return []
    return list(
        visible_to(Agreement.objects.filter(pk__in=unsettled), user)
        .select_related("household__project")
        .order_by("household__project__code", "household__code")
    )


def _swap_supplements(user) -> list[TodoItem]:
    """Signed swap agreements whose household has chosen flats and that still need a 补充协议:
    `swap_agreements_to_compute` computed (`compensation.supplements.swap_supplement_due`).
    One query however many are settled."""
    items = []
    for agreement in swap_agreements_to_compute(user):
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
    """The published rounds `user` may see whose selection day is today or within
    LOOK_AHEAD_DAYS, or that are open (a day not yet set included), soonest first: one query
    written once per district scope (`_selection_day_rows`), as it runs for the navigation's
    count after every page."""
    district = scope(user)
    if district is None:
        return []
    rows = _selection_day_rows(today, today + timedelta(days=LOOK_AHEAD_DAYS), *district)
    items = []
    for row in rows:
        if row["selection_on"] == today or row["state"] == SelectionRound.State.OPEN:
            kind = _("今日选房")
        else:
            kind = _("即将选房")
        day = cn_date(row["selection_on"]) if row["selection_on"] else "—"
        items.append(
            TodoItem(
                "day",
                kind,
                _("%(project)s 选房日：%(day)s") % {"project": row["project__name"], "day": day},
                reverse("resettlement:selection_round", args=[row["pk"]]),
                row["selection_on"],
            )
        )
    return items


@CompiledValues
def _selection_day_rows(today, last_day, *district):
    """The rows of `_selection_days`: published, not closed, and either selecting between
    `today` and `last_day` (both included) or open; `district` is core.scoping.scope's."""
    return (
        scoped(SelectionRound.objects.all(), district)
        .filter(notice__published_on__isnull=False)
        .exclude(state=SelectionRound.State.CLOSED)
        .filter(
            Q(selection_on__gte=today, selection_on__lte=last_day)
            | Q(state=SelectionRound.State.OPEN)
        )
        # An open round without a day last on every database, as PostgreSQL sorts NULL.
        .order_by(F("selection_on").asc(nulls_last=True), "pk")
        .values("pk", "selection_on", "state", "project__name")
    )
