"""History with the change itself: who, when, which fields, old → new (django-simple-history).

`changes(history_rows)` turns the history rows of audited objects into entries for a page,
each with its changed fields and their old and new values as people read them (choice labels,
是/否, dates, file names, the related object's name). It pairs each row with the previous row of
the same object among those given, in Python (simple-history's `diff_against`), so a page
fetches each model's rows once and never queries per row.

A page of one object with its dependents (a household with its family members, archive files,
decisions and money rows) asks `for_household(household)`: the apps register, in their
AppConfig.ready(), which of their models belong to a household (`register_household_model`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime
    who: str
    action: str  # created / changed / deleted
    subject: str  # "家庭成员 张三"
    changes: list[Change] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {"created": _("新增"), "changed": _("修改"), "deleted": _("删除")}[self.action]


def _shown(model_field: models.Field, value, related: dict) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(model_field, models.ForeignKey):
        return related.get((model_field.related_model, value), f"#{value}")
    if isinstance(model_field, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _related_names(rows_by_model: dict) -> dict:
    """The names of the objects foreign keys point at, one query per related model."""
    wanted: dict[type, set] = {}
    for model, rows in rows_by_model.items():
        for model_field in model._meta.fields:
            if isinstance(model_field, models.ForeignKey):
                ids = {getattr(row, model_field.attname) for row in rows} - {None}
                if ids:
                    wanted.setdefault(model_field.related_model, set()).update(ids)
    names = {}
    for related_model, ids in wanted.items():
        for obj in related_model._default_manager.filter(pk__in=ids):
            names[(related_model, obj.pk)] = str(obj)
    return names


def _subject(row, model, describe) -> str:
    label = str(model._meta.verbose_name)
    name = describe(row) if describe else ""
    return f"{label} {name}".strip()


def changes(
    rows_by_model: dict[type[models.Model], list], *, skip=(), describe: dict | None = None
) -> list[Entry]:
    """Entries for the history rows given per audited model, newest first.

    `rows_by_model`: {model: [its historical rows]}; `skip`: field names never shown;
    `describe`: {model: function(row) -> its name on the page}, read from the row's own columns.
    """
    describe = describe or {}
    related = _related_names({model: rows for model, rows in rows_by_model.items() if rows})
    entries = []
    for model, rows in rows_by_model.items():
        fields = {f.name: f for f in model._meta.fields}
        key = model._meta.pk.attname  # the object's id on its history rows
        previous = {}
        for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
            action = HISTORY_TYPES[row.history_type]
            entry = Entry(
                at=row.history_date,
                who=_who(row),
                action=action,
                subject=_subject(row, model, describe.get(model)),
            )
            before = previous.get(getattr(row, key))
            if action == "changed" and before is not None:
                delta = row.diff_against(before, excluded_fields=list(skip))
                for change in delta.changes:
                    model_field = fields.get(change.field)
                    if model_field is None:
                        continue
                    entry.changes.append(
                        Change(
                            str(model_field.verbose_name),
                            _shown(model_field, change.old, related),
                            _shown(model_field, change.new, related),
                        )
                    )
                if not entry.changes:
                    previous[getattr(row, key)] = row
                    continue  # a save that changed nothing shown
            previous[getattr(row, key)] = row
            entries.append(entry)
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _who(row) -> str:
    user = getattr(row, "history_user", None)
    return user.get_full_name() if user else "—"


# ---------------------------------------------------------------------------
# A household and what belongs to it

_HOUSEHOLD_MODELS: dict[type[models.Model], tuple[str, object]] = {}


def register_household_model(model: type[models.Model], household_column: str, describe=None):
    """Show `model`'s history on its household's page. `household_column`: the history table's
    column holding the household's id ("id" for Household itself, "household_id");
    `describe(row)`: the row's name from its own columns (no related lookups)."""
    _HOUSEHOLD_MODELS[model] = (household_column, describe)


def for_household(household, *, limit: int = 200) -> list[Entry]:
    """The household's history and its dependents', newest first (one query per model)."""
    rows = {}
    for model, (column, _describe) in _HOUSEHOLD_MODELS.items():
        rows[model] = list(
            model.history.filter(**{column: household.pk})
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:limit]
        )
    describe = {model: d for model, (_column, d) in _HOUSEHOLD_MODELS.items()}
    return changes(rows, describe=describe, skip=HOUSEHOLD_SKIP)[:limit]


# Columns that only echo other changes (the history of who uploaded a file shows on its row).
HOUSEHOLD_SKIP = ()


def for_object(obj: models.Model, *, limit: int = 100) -> list[Entry]:
    """One audited object's history, newest first."""
    model = type(obj)
    rows = list(
        model.history.filter(id=obj.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    return changes({model: rows})
