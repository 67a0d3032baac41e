"""The district scoping rule, in one place.

Office staff see every district; a district user sees only rows whose district is
their own; anybody else sees nothing. A model opts in by naming, in its
`district_path` attribute, the lookup from the model to its district ("pk" for
District itself, "district" for a project, "project__district" for a household).
Every staff or district view reads through `visible_to` or `get_visible_or_404`,
so no view can forget the rule.
"""

from django.db.models import Model, QuerySet
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


def sees_district(user, district_id: int | None) -> bool:
    """The rule of `visible_to` for a row already read whose district is `district_id`: for a
    page that reads its row by a query written once (core.compiled) and checks it after."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_office_staff or district_id == user.district_id


def get_visible_or_404(queryset: QuerySet | type[Model], user, **lookup):
    """Fetch one object the user may read; another district's object is a 404, not a 403,
    so that a district user cannot even learn that it exists."""
    return get_object_or_404(visible_to(queryset, user), **lookup)


class DistrictScopedQuerySet(QuerySet):
    """Base queryset for district-scoped models: `Project.objects.visible_to(user)`."""

    def visible_to(self, user):
        return visible_to(self, user)
