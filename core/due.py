"""Stored due dates: every running legal clock as a DueDate row, written when its event is
recorded and rewritten when the holiday calendar changes, so that the deadlines page, the due
lists, the home page and the navigation's counts read rows (filtered, counted and paginated in
SQL) and never count periods per request.

Each app that keeps clocks registers one *source* per model in its AppConfig.ready():

    from core import due
    due.register(
        Petition,
        queryset=lambda: Petition.objects.with_clock().select_related(...),
        rows=petition_rows,                     # (petition, calendar) -> iterable of Row
        follows={Other: lambda other: [pk, ...]},  # saving Other rewrites these sources
    )

and names its kinds of clock with `kind(code, label)`; pages take labels from KINDS, one dict.

When rows are written:
- a source object (or one it follows) is saved or deleted: its rows are rewritten at once,
  in the same transaction (post_save / post_delete; fixtures loaded raw are skipped, and
  bulk_create / update() send no signal: bulk loaders call `recompute()` afterwards);
- a holiday-table day (CalendarDay) changes: the rows whose [counted_from, due_on] touches
  that year are recomputed by a Celery job sent on commit (`schedule_recompute`, a
  DueRecompute row says it is under way); entering a year's arrangement recomputes once
  (calendar_batch);
- `manage.py recompute_due_dates` (and load_demo) rewrite every row.

Rows are derived data, so signals are the right hook here: every write path (services, the
admin, data fixes in a shell) must keep them true, and the domain rules stay in the apps'
row functions, which use the deadline engine (core.deadlines) as before.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.db.models import BooleanField, Count, Expression, Model, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONArray
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone

from core.compiled import CompiledValues, field_names, instance
from core.deadlines import Deadline, Unit, WorkCalendar
from core.models import CalendarDay, DueDate, DueRecompute
from core.scoping import scope, scoped, visible_to

# code -> label, e.g. "petitions.accept" -> "信访受理期限" (lazy)
KINDS: dict[str, str] = {}
# code -> function(row) -> the title people read, for kinds whose title depends on figures
# read with the row (see `register_refinement`).
TITLES: dict[str, Callable[[DueDate], str]] = {}


def kind(code: str, label) -> str:
    """Name a kind of clock: `code` is stored on the rows, `label` shown."""
    KINDS[code] = label
    return code


def label(code: str) -> str:
    """The label of a kind; the code itself for a kind no app registers any more."""
    return str(KINDS.get(code, code))


@dataclass(frozen=True)
class Row:
    """One clock of a source object, as its app computes it."""

    kind: str  # a code given to `kind`
    title: str  # what it is about, without personal data: "六岭棚改 A-012 补偿决定（复议期内）"
    url: str  # where to act on it
    deadline: Deadline
    district_id: int | None
    project_id: int | None = None
    handler_ids: tuple[int, ...] = ()
    # Listed from this day (None: from the event) until this day (None: until done, overdue
    # once past due); a window that simply closes sets shown_until to its due day.
    shown_from: date | None = None
    shown_until: date | None = None
    # The first day whose holidays the computation depended on (default: the deadline's start).
    counted_from: date | None = None


@dataclass
class Source:
    model: type[Model]
    queryset: Callable[[], QuerySet]  # the objects that may have clocks, related rows joined
    rows: Callable[[Model, WorkCalendar], Iterable[Row]]
    follows: dict[type[Model], Callable[[Model], Iterable[int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Refinement:
    """What a kind adds to the reads of its rows (see `register_refinement`)."""

    kind: str
    # () -> the condition a row of `kind` must also meet to be listed, e.g. an Exists()
    keep: Callable[[], Q | Expression] | None = None
    # rows -> rows annotated with the figures the kind's title reads (rows of other kinds
    # get None); applied when rows are read, not when they are counted
    annotate: Callable[[QuerySet], QuerySet] | None = None


_SOURCES: dict[type[Model], Source] = {}
_REFINEMENTS: dict[str, Refinement] = {}
_state = threading.local()


def register(
    model: type[Model],
    *,
    queryset: Callable[[], QuerySet],
    rows: Callable[[Model, WorkCalendar], Iterable[Row]],
    follows: dict[type[Model], Callable[[Model], Iterable[int]]] | None = None,
) -> None:
    """Keep `model`'s clocks stored (see the module docstring). Safe to call twice."""
    source = Source(model, queryset, rows, dict(follows or {}))
    _SOURCES[model] = source
    uid = f"core.due:{model._meta.label}"
    post_save.connect(_source_saved, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_source_deleted, sender=model, dispatch_uid=uid, weak=False)
    for other, _pks in source.follows.items():
        other_uid = f"core.due:{model._meta.label}<-{other._meta.label}"
        post_save.connect(
            _follower_changed, sender=other, dispatch_uid=other_uid + ":save", weak=False
        )
        post_delete.connect(
            _follower_changed, sender=other, dispatch_uid=other_uid + ":delete", weak=False
        )


def follow_projects(project_model: type[Model]) -> None:
    """Rewrite a project's clocks when it is saved: its name, liaison and leader are in their
    titles and handlers (called by the projects app, which core does not import)."""
    post_save.connect(
        _project_saved, sender=project_model, dispatch_uid="core.due:projects", weak=False
    )


def _project_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    found = DueDate.objects.filter(project_id=instance.pk).values_list(
        "source_type_id", "source_id"
    )
    by_type: dict[int, set[int]] = {}
    for type_id, source_id in found:
        by_type.setdefault(type_id, set()).add(source_id)
    for model in list(_SOURCES):
        pks = by_type.get(ContentType.objects.get_for_model(model).pk)
        if pks:
            sync(model, pks)


def register_refinement(
    kind: str,
    *,
    keep: Callable[[], Q | Expression] | None = None,
    annotate: Callable[[QuerySet], QuerySet] | None = None,
) -> None:
    """Refine the reads of `kind`'s rows with figures the stored row cannot hold (they change
    without the clock's source being saved: the households still unsigned of a project).

    `keep()` is a condition a row of `kind` must also meet to be listed and counted (rows of
    other kinds are not affected); `annotate(rows)` adds the figures its title reads (see
    TITLES), only when rows are read (`listed`), not when they are counted (`shown`). Calling
    it again for the same kind replaces the refinement."""
    _REFINEMENTS[kind] = Refinement(kind, keep, annotate)


# ---------------------------------------------------------------------------
# Writing


def sync(model: type[Model], pks: Iterable[int], *, calendar: WorkCalendar | None = None) -> int:
    """Rewrite the rows of `model`'s objects `pks` from their current facts; returns how many
    rows they now have. Objects that are gone or have no running clock are left with none."""
    pks = [pk for pk in set(pks) if pk is not None]
    if not pks:
        return 0
    source = _SOURCES[model]
    source_type = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        DueDate.objects.filter(source_type=source_type, source_id__in=pks).delete()
        calendar = calendar or WorkCalendar()
        objects = source.queryset().filter(pk__in=pks)
        rows = [
            _stored(source_type, obj.pk, row)
            for obj in objects
            for row in source.rows(obj, calendar)
        ]
        DueDate.objects.bulk_create(rows)
    return len(rows)


def recompute(*, year: int | None = None, batch: int = 2_000) -> int:
    """Rewrite every stored clock (year None), or those whose computation touches `year`'s
    holidays. Returns the number of rows written. One WorkCalendar serves them all."""
    calendar = WorkCalendar()
    written = 0
    with transaction.atomic():
        for model, source in _SOURCES.items():
            source_type = ContentType.objects.get_for_model(model)
            if year is not None:
                touched = DueDate.objects.filter(
                    source_type=source_type,
                    counted_from__lte=date(year, 12, 31),
                    due_on__gte=date(year, 1, 1),
                ).values_list("source_id", flat=True)
                pks = sorted(set(touched))
                for start in range(0, len(pks), batch):
                    written += sync(model, pks[start : start + batch], calendar=calendar)
                continue
            DueDate.objects.filter(source_type=source_type).delete()
            pending: list[DueDate] = []
            for obj in source.queryset().iterator(chunk_size=batch):
                pending.extend(
                    _stored(source_type, obj.pk, row) for row in source.rows(obj, calendar)
                )
                if len(pending) >= batch:
                    DueDate.objects.bulk_create(pending)
                    written += len(pending)
                    pending = []
            DueDate.objects.bulk_create(pending)
            written += len(pending)
    return written


@contextlib.contextmanager
def calendar_batch(*, by=None) -> Iterator[set[int]]:
    """Change many holiday-table days, then recompute the years touched once, by one job
    (`schedule_recompute`, naming `by`) sent when the transaction commits."""
    outer = getattr(_state, "years", None)
    if outer is not None:  # already inside a batch: the outer one recomputes
        yield outer
        return
    _state.years = years = set()
    try:
        yield years
    finally:
        _state.years = None
    # Not reached when the block raised: its transaction is rolled back, the rows stay true.
    if years:
        schedule_recompute(years, by=by)


def schedule_recompute(years: Iterable[int], *, by=None) -> DueRecompute:
    """Recompute the stored clocks touching `years`' holidays in a Celery job
    (core.tasks.recompute_due_dates) sent once the current transaction commits: changing the
    holiday table takes seconds at a large office's scale (every clock counted again), so the
    request only records the run (a DueRecompute) and the pages say it is under way. Until the
    job commits, the rows computed before the change stay as they were.

    When the broker cannot take the job, the run is marked failed (the holiday page offers to
    start it again) and core.jobs.BrokerUnavailable is raised."""
    from core.jobs import queue_on_commit
    from core.tasks import recompute_due_dates

    run = DueRecompute.objects.create(years=sorted(set(years)), requested_by=by)

    def broker_down() -> str:
        DueRecompute.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            failed_at=timezone.now(), error="broker unavailable"
        )
        return reverse("core:holiday_calendar")

    queue_on_commit(recompute_due_dates, run.pk, on_broker_down=broker_down)
    return run


# Any constant: the key of the PostgreSQL advisory lock that makes recomputations run one at
# a time (two at once would each delete the same rows and then both write theirs).
RECOMPUTE_LOCK = 0x6475_6573


def run_recompute(run_id: int) -> DueRecompute:
    """The job's work: recompute the years of a pending run, in one transaction, and mark it
    finished with the number of rows written. A run no longer pending is left alone, so a
    redelivered job does nothing; an error marks the run failed (with its cause) and is
    raised again."""
    with transaction.atomic():
        run = DueRecompute.objects.select_for_update().get(pk=run_id)
        if not run.is_pending:
            return run
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK])
        run.started_at = timezone.now()
        try:
            with transaction.atomic():
                written = sum(recompute(year=year) for year in run.years)
        except Exception as error:
            run.failed_at = timezone.now()
            run.error = repr(error)[:2000]
            run.save(update_fields=["started_at", "failed_at", "error"])
            raise_after = error
        else:
            run.finished_at = timezone.now()
            run.written = written
            run.save(update_fields=["started_at", "finished_at", "written"])
            raise_after = None
    if raise_after is not None:
        raise raise_after
    return run


def pending_recompute() -> DueRecompute | None:
    """The latest recomputation still under way, if any (one query)."""
    return (
        DueRecompute.objects.filter(finished_at__isnull=True, failed_at__isnull=True)
        .order_by("-requested_at", "-pk")
        .first()
    )


def _stored(source_type: ContentType, source_id: int, row: Row) -> DueDate:
    deadline = row.deadline
    return DueDate(
        source_type=source_type,
        source_id=source_id,
        kind=row.kind,
        title=row.title[:300],
        url=row.url[:300],
        district_id=row.district_id,
        project_id=row.project_id,
        handler_ids=sorted(set(row.handler_ids)),
        started_on=deadline.start,
        due_on=deadline.due,
        length=max(deadline.length, 0),
        unit=str(Unit(deadline.unit).value),
        basis=deadline.basis[:300],
        explanation=[str(line) for line in deadline.explanation],
        calendar_source=deadline.calendar_source[:300],
        provisional_years=list(deadline.provisional_years),
        is_provisional=deadline.provisional,
        shown_from=row.shown_from,
        shown_until=row.shown_until,
        counted_from=row.counted_from or deadline.start,
        computed_at=timezone.now(),
    )


def _source_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync(sender, [instance.pk])


def _source_deleted(sender, instance, **kwargs):
    source_type = ContentType.objects.get_for_model(sender)
    DueDate.objects.filter(source_type=source_type, source_id=instance.pk).delete()


def _follower_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    for model, source in _SOURCES.items():
        pks = source.follows.get(sender)
        if pks is not None:
            sync(model, list(pks(instance)))


def fill_after_migrate(sender=None, using="default", **kwargs) -> None:
    """post_migrate (core): the first migrate that creates the table fills it from the rows
    already there, so an upgraded database lists its running clocks at once. Later migrates
    find rows (or nothing to store) and cost one query per source."""
    if DueDate.objects.using(using).exists():
        return
    recompute()


def _calendar_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    years = getattr(_state, "years", None)
    if years is not None:
        years.add(instance.day.year)
        return
    schedule_recompute([instance.day.year])


post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="core.due:calendar")
post_delete.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="core.due:calendar-del")


# ---------------------------------------------------------------------------
# Reading


def _refinements(kinds: Iterable[str] | None) -> list[Refinement]:
    if kinds is None:
        return list(_REFINEMENTS.values())
    return [refinement for code, refinement in _REFINEMENTS.items() if code in kinds]


def shown(
    user, *, today: date, until: date | None = None, kinds: Iterable[str] | None = None
) -> QuerySet[DueDate]:
    """The stored clocks `user` may see that are listed on `today` (overdue ones included),
    due on or before `until` when given, of `kinds` when given (codes); unordered and without
    the figures titles read: the rows to count (`listed` reads the same rows). Scoped by
    district."""
    kinds = None if kinds is None else frozenset(kinds)
    conditions = _shown_conditions(today=today, until=until, kinds=kinds, keeps=_keeps(kinds))
    # One filter() call: each call clones the query.
    return visible_to(DueDate.objects.all(), user).filter(*conditions)


def _keeps(kinds: frozenset[str] | None) -> tuple[Refinement, ...]:
    """The refinements of `kinds` (None: every kind) that add a condition (`keep`)."""
    return tuple(refinement for refinement in _refinements(kinds) if refinement.keep is not None)


def _shown_conditions(
    *, today: date, until: date | None, kinds: frozenset[str] | None, keeps: Iterable[Refinement]
) -> list[Q | Expression]:
    """The conditions of `shown` (the rule in one place: `shown` and the cards' query written
    once, `card_counts`, both filter by them): listed on `today`, due on or before `until`
    when given, of `kinds` when given, and meeting the `keep` condition of each of `keeps`
    for the rows of its kind."""
    conditions = [
        Q(shown_from__isnull=True) | Q(shown_from__lte=today),
        Q(shown_until__isnull=True) | Q(shown_until__gte=today),
    ]
    if until is not None:
        conditions.append(Q(due_on__lte=until))
    if kinds is not None:
        conditions.append(Q(kind__in=kinds))
    conditions.extend(~Q(kind=refinement.kind) | refinement.keep() for refinement in keeps)
    return conditions


def listed(
    user, *, today: date, until: date | None = None, kinds: Iterable[str] | None = None
) -> QuerySet[DueDate]:
    """The rows of `shown`, soonest first, with the figures their titles read (see `title`)."""
    kinds = None if kinds is None else frozenset(kinds)  # read once: it may be an iterator
    rows = visible_to(DueDate.objects.all(), user)
    return _listed_in(rows, today=today, until=until, kinds=kinds, refinements=_refinements(kinds))


def _listed_in(
    rows: QuerySet[DueDate],
    *,
    today: date,
    until: date | None,
    kinds: frozenset[str] | None,
    refinements: Iterable[Refinement],
) -> QuerySet[DueDate]:
    """`listed` over `rows` (scoped by the caller: visible_to, or core.scoping.scoped in a
    query written once): `refinements` are those of `kinds`, their conditions kept and their
    figures read."""
    keeps = [refinement for refinement in refinements if refinement.keep is not None]
    rows = rows.filter(*_shown_conditions(today=today, until=until, kinds=kinds, keeps=keeps))
    for refinement in refinements:
        if refinement.annotate is not None:
            rows = refinement.annotate(rows)
    return rows.order_by("due_on", "kind", "title", "pk")


def handled_by(rows: QuerySet[DueDate], user) -> QuerySet[DueDate]:
    """The rows `user` answers for (assignee, liaison or leader): `handler_ids`, a JSON list
    of user ids, holds `user.pk`."""
    return _handled_by(rows, user.pk)


def _handled_by(rows: QuerySet[DueDate], user_pk: int) -> QuerySet[DueDate]:
    """`handled_by` for a user's pk. PostgreSQL tests jsonb containment (`@>`) of a one-element
    array built from the pk itself, so that a query written once (core.compiled) takes the pk
    as its parameter; SQLite, which has no JSON `contains` lookup, looks through the list with
    json_each (`make run`)."""
    if connections[rows.db].vendor == "postgresql":
        return rows.filter(handler_ids__contains=JSONArray(Value(user_pk)))
    table = connections[rows.db].ops.quote_name(DueDate._meta.db_table)
    sql = f"EXISTS (SELECT 1 FROM json_each({table}.handler_ids) WHERE json_each.value = %s)"  # noqa: S608
    return rows.filter(RawSQL(sql, (user_pk,), output_field=BooleanField()))  # noqa: S611


def handled_rows(user, *, today: date, until: date, limit: int | None = None) -> list[DueDate]:
    """`handled_by(listed(user, today=today, until=until), user)` read: the rows, soonest
    first (the first `limit` when given), with the figures their titles read (the
    refinements' annotations), for the home page and the to-do list. One query, its SQL
    written once per process (core.compiled) per district scope; [] for a user who sees
    nothing."""
    district = scope(user)
    if district is None:
        return []
    refinements = tuple(_refinements(None))
    found = _handled_listed(today, until, user.pk, *district, refinements=refinements, limit=limit)
    fields = set(field_names(DueDate))
    rows = []
    for values in found:
        row = instance(DueDate, values)
        row.__dict__.update((name, value) for name, value in values.items() if name not in fields)
        rows.append(row)
    return rows


@CompiledValues
def _handled_listed(today: date, until: date, user_pk: int, *district, refinements: tuple):
    """The rows of `handled_rows`; `district` is core.scoping.scope's, `refinements` every
    registered one (part of the shape: one registered again gets its own SQL)."""
    rows = scoped(DueDate.objects.all(), district)
    rows = _listed_in(rows, today=today, until=until, kinds=None, refinements=refinements)
    rows = _handled_by(rows, user_pk)
    return rows.values(*field_names(DueDate), *rows.query.annotations)


def handled_count(user, *, today: date, until: date) -> int:
    """How many of the stored clocks `user` may see, listed on `today` and due on or before
    `until` (overdue ones included: the rows of `shown`), `user` answers for (`handled_by`):
    the navigation's to-do count after every page. One query, its SQL written once per
    process (core.compiled) per district scope; 0 for a user who sees nothing."""
    district = scope(user)
    if district is None:
        return 0
    rows = _handled_counts(today, until, user.pk, *district, keeps=_keeps(None))
    return sum(row["count"] for row in rows)


@CompiledValues
def _handled_counts(today: date, until: date, user_pk: int, *district, keeps: tuple):
    """The rows `handled_count` adds up, counted per kind; `district` is core.scoping.scope's
    and `keeps` the refinements whose conditions the rows also meet (as `_card_rows`)."""
    conditions = _shown_conditions(today=today, until=until, kinds=None, keeps=keeps)
    rows = scoped(DueDate.objects.all(), district).filter(*conditions)
    return _handled_by(rows, user_pk).values("kind").annotate(count=Count("pk")).order_by()


def as_deadline(row: DueDate) -> Deadline:
    """The stored computation as the engine's Deadline (with its explanation and sources)."""
    return Deadline(
        start=row.started_on,
        due=row.due_on,
        length=row.length,
        unit=Unit(row.unit),
        explanation=tuple(row.explanation),
        calendar_source=row.calendar_source,
        provisional_years=tuple(row.provisional_years),
        basis=row.basis,
    )


def title(row: DueDate) -> str:
    """The row's title, completed with figures read with it for the kinds that have them."""
    complete = TITLES.get(row.kind)
    return complete(row) if complete else row.title


def provisional_years(rows: QuerySet[DueDate]) -> list[int]:
    """The years any of `rows` was computed provisionally for (one query)."""
    found = rows.filter(is_provisional=True).order_by().values_list("provisional_years", flat=True)
    return sorted({year for years in found.distinct() for year in years})


# ---------------------------------------------------------------------------
# Cards: counts of the rows shown today, on the dashboard and the home page


@dataclass(frozen=True)
class Card:
    """A card counting the stored clocks shown today (see `register_card`)."""

    code: str
    days: Callable[[], int]  # the window, in days from today
    panels: Callable[..., list]  # (due=, overdue=, days=) -> list of core.panels.Panel
    kinds: frozenset[str] | None = None  # None: every kind


_CARDS: dict[str, Card] = {}


def register_card(
    code: str,
    *,
    days: Callable[[], int],
    panels: Callable[..., list],
    kinds: Iterable[str] | None = None,
) -> None:
    """Show a card counting stored clocks: `panels(due=n, overdue=m, days=d)` gives its panels
    (core.panels.Panel), where n is the number of rows `user` may see, shown today, of `kinds`
    (None: every kind) and due within `days()` days of today, overdue ones included, and m the
    overdue ones among them. Every registered card is counted in one query (`card_panels`, a
    panel provider); call it from an AppConfig.ready(). Registering a code again replaces its
    card."""
    from core.panels import panel_provider

    _CARDS[code] = Card(code, days, panels, None if kinds is None else frozenset(kinds))
    panel_provider(card_panels)


def card_counts(user, *, today: date) -> dict[str, dict[str, int]]:
    """Per registered card's code: {"due": n, "overdue": m, "days": d} as `register_card`
    defines them, all counted in one query (none without cards, nor for a user who sees
    nothing: zero counts): the rows shown today and due within the widest window, counted per
    kind, overdue and within each narrower window. Its SQL is written once per process
    (core.compiled) for each set of windows, district scope and refinements."""
    if not _CARDS:
        return {}
    windows = {code: card.days() for code, card in _CARDS.items()}
    district = scope(user)
    if district is None:
        per_kind = []
    else:
        # The windows, narrowest first: the widest bounds the rows, each narrower one is
        # counted up to its last day (parameters: today + days).
        days = tuple(sorted(set(windows.values())))
        last_days = [today + timedelta(days=n) for n in days]
        per_kind = _card_rows(today, *last_days, *district, windows=days, keeps=_keeps(None))
    widest = max(windows.values())
    found = {}
    for code, card in _CARDS.items():
        days = windows[code]
        rows = [row for row in per_kind if card.kinds is None or row["kind"] in card.kinds]
        found[code] = {
            "due": sum(row["due" if days == widest else f"due_{days}"] for row in rows),
            "overdue": sum(row["overdue"] for row in rows),
            "days": days,
        }
    return found


@CompiledValues
def _card_rows(today: date, *parameters, windows: tuple[int, ...], keeps: tuple[Refinement, ...]):
    """The rows `card_counts` counts, per kind: `parameters` are the last day of each of
    `windows` (days from `today`, narrowest first, the widest last), then the district scope
    (core.scoping.scope); `keeps`, the refinements whose conditions the rows also meet (part
    of the shape: a refinement registered again gets its own SQL)."""
    last_days, district = parameters[: len(windows)], parameters[len(windows) :]
    *narrower, until = last_days
    counts = {"due": Count("pk"), "overdue": Count("pk", filter=Q(due_on__lt=today))}
    for days, last_day in zip(windows[:-1], narrower, strict=True):
        counts[f"due_{days}"] = Count("pk", filter=Q(due_on__lte=last_day))
    conditions = _shown_conditions(today=today, until=until, kinds=None, keeps=keeps)
    return (
        scoped(DueDate.objects.all(), district)
        .filter(*conditions)
        .values("kind")
        .annotate(**counts)
        .order_by()
    )


def card_panels(*, year: int, user) -> list:
    """The panels of the registered cards, as of today whatever the dashboard's year (one
    query; see `register_card`)."""
    counts = card_counts(user, today=timezone.localdate())
    return [panel for code, card in _CARDS.items() for panel in card.panels(**counts[code])]
