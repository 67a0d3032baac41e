"""Every model's default order on a column that can be NULL says where NULL goes: PostgreSQL
puts NULL first in a descending order and last in an ascending one, SQLite (`make run`) the
other way round, so without it a list (draft notices, projects not started yet) reads
differently on the laptop than in production."""

from django.apps import apps
from django.db.models import F, OrderBy

OUR_APPS = {"core", "projects", "compensation", "appraisers", "petitions", "budget", "public"}
OUR_APPS |= {"resettlement"}


def _nullable_column(model, name: str) -> bool:
    """Whether `name` (a column of `model`, or of a related model through `a__b`) can be NULL;
    False for a relation itself, which sorts by the related model's own order."""
    for part in name.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return field.null and not field.is_relation


def test_every_default_order_on_a_nullable_column_says_where_null_goes():
    unstated = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model.__name__.startswith("Historical"):
            continue
        for item in model._meta.ordering:
            if isinstance(item, OrderBy) and isinstance(item.expression, F):
                if item.nulls_first or item.nulls_last:
                    continue
                item = item.expression.name
            name = item.lstrip("-") if isinstance(item, str) else "pk"
            if name not in ("pk", "?") and _nullable_column(model, name):
                unstated.append(f"{model._meta.label}: {item}")
    assert unstated == []
