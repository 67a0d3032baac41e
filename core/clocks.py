"""Every running legal clock in the system, gathered for the deadlines page and the digest.

Each app that keeps clocks (compensation decisions, objection windows, valuation re-checks,
petitions, notice periods) registers one *source*: a function that, for a user and a window
of dates, returns the clocks that user may see. The deadlines page, the home page counts and
the daily digest read them all through `due_items` and never need to know the apps.

A source must respect the district scoping rule (read through core.scoping.visible_to) and
must not query per row. Register it in the app's AppConfig.ready():

    from core.clocks import register
    register(my_app.clocks.open_clocks)
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from core.deadlines import Deadline


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


# A source gets (user, until) and returns the open clocks due on or before `until`
# (overdue ones included: they are still open).
Source = Callable[..., Iterable[DueItem]]
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def due_items(user, *, until: date) -> list[DueItem]:
    """The open clocks the user may see that fall due on or before `until`, soonest first."""
    items = [item for source in _SOURCES for item in source(user, until=until)]
    return sorted(items, key=lambda item: (item.due, item.kind, item.title))
