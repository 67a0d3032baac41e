"""What waits for a person: the to-do list at /todo/ and the count in the navigation bar.

Each app registers one *source* in its AppConfig.ready(), as with core.clocks: a function that,
for a user and a day, returns the items waiting for that user or their section. This module
gives the sources that need no app: sign-off steps waiting for the user's sections, items
returned to the user (or their district), and the legal clocks falling due within the digest's
look-ahead (7 days) on the projects and cases the user answers for.

A source must respect the district scoping rule and must not query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import due, signoffs
from core.compiled import CompiledValues
from core.models import SignOff
from core.scoping import scope, visible_to


@dataclass(frozen=True)
class TodoItem:
    group: str  # one of GROUPS
    kind: str  # what is to be done, for people: "法规科审查", "待审批划拨"
    title: str  # what it is about
    url: str
    since: datetime | date | None = None  # waiting since; a clock's due date
    note: str = ""  # a return comment, a due date's explanation


# The list's sections, in the order the page shows them.
GROUPS = {
    "review": gettext_lazy("待我审核、签发"),
    "returned": gettext_lazy("被退回、待修改后重新提交"),
    "money": gettext_lazy("待审批的资金与决算"),
    "clock": gettext_lazy("7日内到期的法定期限"),
    "day": gettext_lazy("今日及近期的工作安排"),
}

Source = Callable[..., Iterable[TodoItem]]
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def items_for(user, today: date, *, clocks_shown: int | None = None) -> list[TodoItem]:
    """Everything waiting for `user`, by group, oldest first within a group; of the legal
    clocks (group "clock"), only the `clocks_shown` soonest when it is given (see `counts`)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    items = []
    for source in _SOURCES:
        if source is clock_items:
            items.extend(clock_items(user, today=today, limit=clocks_shown))
        else:
            items.extend(source(user, today=today))
    order = list(GROUPS)
    return sorted(items, key=lambda item: (order.index(item.group), _sort_key(item.since)))


def count_for(user, today: date) -> int:
    """How many items wait for `user` (the navigation bar's count): the legal clocks counted
    in the database, not built one by one (a large office's petition section answers for
    hundreds; issue 16)."""
    if not (user and user.is_authenticated and user.is_active):
        return 0
    others = sum(
        len(list(source(user, today=today))) for source in _SOURCES if source is not clock_items
    )
    return others + clock_count(user, today=today)


def _sort_key(since) -> str:
    return since.isoformat() if since else ""


def grouped(items: list[TodoItem]) -> list[dict]:
    return [
        {"key": key, "label": label, "items": [i for i in items if i.group == key]}
        for key, label in GROUPS.items()
    ]


# ---------------------------------------------------------------------------
# The sources core provides


def signoff_items(user, *, today: date) -> list[TodoItem]:
    """Sign-off steps waiting for the user's sections that the user may take (not one who
    signed an earlier step of the round), then items returned to the user's side, oldest
    first. Nearly always there are none: one query written once finds that
    (`_any_signoff_for`), and only when there are some are they read and checked."""
    if not _any_signoff_for(user):
        return []
    rows = visible_to(SignOff.objects.all(), user)
    items = []
    waiting = [
        signoff
        for signoff in rows.waiting_for(user).order_by("updated_at")
        # One who signed an earlier step of this round does not: another member takes it.
        if signoffs.can_act(user, signoff)
    ]
    held = signoffs.holds(waiting)
    for signoff in waiting:
        step = signoffs.current_step(signoff)
        note = ""
        if signoff.pk in held:
            note = _("待%(verb)s（尚不能%(verb)s：%(reasons)s）") % {
                "verb": step.verb,
                "reasons": "；".join(reason.rstrip("。") for reason in held[signoff.pk]),
            }
        items.append(
            TodoItem(
                "review", str(step.label), signoff.title, signoff.url, signoff.updated_at, note
            )
        )
    for signoff in rows.returned_to(user).select_related("acted_by").order_by("updated_at"):
        note = _("%(who)s：%(comment)s") % {
            "who": signoff.acted_by.get_full_name() if signoff.acted_by else "—",
            "comment": signoff.comment,
        }
        items.append(
            TodoItem(
                "returned",
                str(signoffs.CHAINS[signoff.chain].label),
                signoff.title,
                signoff.url,
                signoff.updated_at,
                note,
            )
        )
    return items


def _any_signoff_for(user) -> bool:
    """Whether a sign-off waits for one of the user's sections or was returned to the user's
    side (SignOffQuerySet.waiting_for and returned_to, within core.scoping's rule): one query
    whose SQL is written once per shape (an office member's number of sections, or a
    district user)."""
    district = scope(user)
    if district is None:
        return False
    if user.is_office_staff:
        rows = _signoffs_waiting_or_returned(user.pk, *user.sections, office=True)
    else:
        rows = _signoffs_waiting_or_returned(*district, office=False)
    return bool(rows)


@CompiledValues
def _signoffs_waiting_or_returned(*parameters, office: bool):
    """The pks `_any_signoff_for` looks for, by SignOffQuerySet's rules. For office staff
    (every district) `parameters` are the user's pk and then their sections; for a district
    user, their district."""
    if not office:
        (district_id,) = parameters
        return SignOff.objects.returned_to_district(district_id).order_by().values("pk")
    user_pk, *user_sections = parameters
    waiting = SignOff.objects.waiting_for_sections(user_sections)
    returned = SignOff.objects.returned_to_office(user_pk, user_sections)
    return (waiting | returned).order_by().values("pk")


def clock_count(user, *, today: date) -> int:
    """How many stored clocks the user answers for are due within the digest's look-ahead
    or overdue: the rows `clock_items` lists, counted in one query written once
    (core.due.handled_count)."""
    until = today + timedelta(days=settings.DIGEST_LOOKAHEAD_DAYS)
    return due.handled_count(user, today=today, until=until)


def clock_items(user, *, today: date, limit: int | None = None) -> list[TodoItem]:
    """The stored clocks (core.due) the user answers for, due within the digest's look-ahead
    or overdue, soonest first; the first `limit` of them when it is given. One query,
    whatever the number of clock sources."""
    until = today + timedelta(days=settings.DIGEST_LOOKAHEAD_DAYS)
    rows = due.handled_rows(user, today=today, until=until, limit=limit)
    items = []
    for row in rows:
        overdue = row.due_on < today
        items.append(
            TodoItem(
                "clock",
                due.label(row.kind),
                due.title(row),
                row.url,
                row.due_on,  # shown in its own column (到期日): the note does not repeat it
                _("已逾期") if overdue else "",
            )
        )
    return items


register(signoff_items)
register(clock_items)
