"""The district scoping rule, in one place.

Office staff see every district; a district user sees only rows whose district is
their own; anybody else sees nothing. A model opts in by naming, in its
`district_path` attribute, the lookup from the model to its district ("pk" for
District itself, "district" for a project, "project__district" for a household).
Every staff or district view reads through `visible_to` or `get_visible_or_404`,
so no view can forget the rule.
"""

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404


def _district_lookup(model: type[Model]) -> str:
    path = getattr(model, "district_path", None)
    if path is None:
        raise TypeError(f"{model.__name__} has no district_path; it cannot be scoped by district")
    return path if path == "pk" else f"{path}_id"


def visible_to(queryset: QuerySet | type[Model], user) -> QuerySet:
    """Return the part of `queryset` that `user` may read."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_office_staff:
        return queryset
    return queryset.filter(**{_district_lookup(queryset.model): user.district_id})


def scope(user) -> tuple[int, ...] | None:
    """`visible_to`'s rule as the parameters of a query written once (core.compiled): () for
    office staff (every district), (district_id,) for a district user, None for anybody who
    sees nothing (no query to run). Pass the tuple on as the query's last parameters and
    narrow its queryset with `scoped`."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    if user.is_office_staff:
        return ()
    return None if user.district_id is None else (user.district_id,)


def scoped(queryset: QuerySet, district: tuple[int, ...]) -> QuerySet:
    """`queryset` narrowed to what `scope` gave: every row for (), one district's for
    (district_id,) (a query built with `scope`'s parameters has one SQL per form)."""
    if not district:
        return queryset
    (district_id,) = district
    return queryset.filter(**{_district_lookup(queryset.model): district_id})


def sees_district(user, district_id: int | None) -> bool:
    """The rule of `visible_to` for a row already read whose district is `district_id`: for a
    page that reads its row by a query written once (core.compiled) and checks it after."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_office_staff or district_id == user.district_id


def visible_row(user, rows: list[dict]) -> dict:
    """The one row of `rows` (an object read by its pk through SQL written once, with its
    `district_id`) when `user` may read it (`sees_district`); Http404 when there is none or it
    is another district's, as `get_visible_or_404` answers."""
    if not rows or not sees_district(user, rows[0]["district_id"]):
        raise Http404
    (row,) = rows
    return row


def get_visible_or_404(queryset: QuerySet | type[Model], user, **lookup):
    """Fetch one object the user may read; another district's object is a 404, not a 403,
    so that a district user cannot even learn that it exists."""
    return get_object_or_404(visible_to(queryset, user), **lookup)


class DistrictScopedQuerySet(QuerySet):
    """Base queryset for district-scoped models: `Project.objects.visible_to(user)`."""

    def visible_to(self, user):
        return visible_to(self, user)
