"""Every running legal clock in the system, for the deadlines page, the to-do list and the digest.

The clocks are stored (core.due: one DueDate row per clock, written when its event is recorded
and rewritten when the holiday calendar changes); this module reads them as DueItems, each with
the deadline engine's Deadline (due date, explanation, calendar source, provisional years), so
that no page counts periods per request. Apps register their clocks with core.due.register.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core import due as stored
from core.deadlines import Deadline
from core.models import DueDate


@dataclass(frozen=True)
class DueItem:
    """One running clock: what must happen by when, for which project, and how it was computed."""

    kind: str  # what the clock is, for people: "行政复议期限", "信访受理期限"
    title: str  # what it is about: "六岭棚改 A-012 补偿决定"
    deadline: Deadline  # the due date and the explanation of how it was computed
    url: str  # where to act on it
    project_id: int | None = None
    handler_ids: tuple[int, ...] = ()  # users answerable for it (liaison, assignee), for the digest

    @property
    def due(self) -> date:
        return self.deadline.due

    def is_overdue(self, today: date) -> bool:
        return self.deadline.has_expired(today)

    @classmethod
    def from_row(cls, row: DueDate) -> "DueItem":
        """The item of a stored row; its label from core.due.KINDS (one dict, no query)."""
        return cls(
            kind=stored.label(row.kind),
            title=stored.title(row),
            deadline=stored.as_deadline(row),
            url=row.url,
            project_id=row.project_id,
            handler_ids=tuple(row.handler_ids),
        )


def due_items(
    user, *, until: date, today: date | None = None, kinds: frozenset[str] | None = None
) -> list[DueItem]:
    """The open clocks the user may see that fall due on or before `until` (overdue ones
    included), as listed on `today` (default: today), soonest first; only `kinds` when given.
    One query."""
    rows = stored.listed(user, today=today or timezone.localdate(), until=until)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    return [DueItem.from_row(row) for row in rows]
