"""The authentication backend: Django's ModelBackend, reading each request's user in one query.

Every logged-in page reads the user (AuthenticationMiddleware, through the backend named in
the session), then the user's group names (the frame's role label and every permission check
ask User.sections) and, for a district user, the district (the role label, the pages that name
it). On PostgreSQL `get_user` reads all three in one statement: the names as an ARRAY subquery,
set on the user (User.GROUP_NAMES), so that `sections` needs no query of its own; the district
by a LEFT JOIN, set as `user.district`. The statement is written once, from the models' tables
and columns, and sent through Manager.raw: measured (bench/frame_bench.py), the ORM's user
query and group query cost 0.55 ms of CPU per request, the same two as an ORM annotation
0.61 ms, this one statement 0.19 ms. Nothing is kept between requests: a change of groups,
district or `is_active` counts from the next request. Other databases use Django's queries.
"""

import functools

from django.contrib.auth import backends
from django.db import connections, router

# The district's columns come aliased with this prefix, then go into a District.
_DISTRICT = "district__"


def _district_fields():
    from core.models import District

    return District._meta.concrete_fields


@functools.cache
def _user_sql(alias: str) -> str:
    from django.contrib.auth.models import Group

    from core.models import District, User

    quote = connections[alias].ops.quote_name
    through = User.groups.through._meta
    user_column = quote(through.get_field("user").column)
    group_column = quote(through.get_field("group").column)
    user_pk = quote(User._meta.pk.column)
    group_pk = quote(Group._meta.pk.column)
    names = (
        f"ARRAY(SELECT g.{quote(Group._meta.get_field('name').column)} "  # noqa: S608
        f"FROM {quote(Group._meta.db_table)} g "
        f"JOIN {quote(through.db_table)} m ON m.{group_column} = g.{group_pk} "
        f"WHERE m.{user_column} = u.{user_pk}) AS {quote(User.GROUP_NAMES)}"
    )
    district = ", ".join(
        f"d.{quote(field.column)} AS {quote(_DISTRICT + field.attname)}"
        for field in _district_fields()
    )
    user_district = quote(User._meta.get_field("district").column)
    return (
        f"SELECT u.*, {names}, {district} "  # noqa: S608  (names from the models, id a parameter)
        f"FROM {quote(User._meta.db_table)} u "
        f"LEFT JOIN {quote(District._meta.db_table)} d "
        f"ON d.{quote(District._meta.pk.column)} = u.{user_district} "
        f"WHERE u.{user_pk} = %s"
    )


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """The active user `user_id`, with the group names and the district on PostgreSQL,
        or None."""
        from core.models import District, User

        alias = router.db_for_read(User)
        if connections[alias].vendor != "postgresql":
            return super().get_user(user_id)
        found = list(User._default_manager.db_manager(alias).raw(_user_sql(alias), [user_id]))
        if not found:
            return None
        user = found[0]
        names = [field.attname for field in _district_fields()]
        values = [user.__dict__.pop(_DISTRICT + name) for name in names]
        if user.district_id is not None:
            user.district = District.from_db(alias, names, values)
        return user if self.user_can_authenticate(user) else None
