"""The authentication backend: Django's ModelBackend, reading each request's user in one query.

Every logged-in page reads the user (AuthenticationMiddleware, through the backend named in
the session), then the user's group names (the frame's role label and every permission check
ask User.sections) and, for a district user, the district (the role label, the pages that name
it). On PostgreSQL `get_user` reads all three in one statement: the names as an ARRAY subquery
(ArraySubquery), set on the user (User.GROUP_NAMES), so that `sections` needs no query of its
own; the district by a LEFT JOIN, set as `user.district`. The statement is written by the ORM
once per process (core.compiled.CompiledValues): the ORM's user query and group query cost
0.55 ms of CPU per request (bench/frame_bench.py), one raw statement through Manager.raw
0.52–0.56 ms on the machine of 1 December 2026, this one 0.36 ms there. Nothing is kept
between requests: a change of groups, district or `is_active` counts from the next request.
Other databases use Django's queries.
"""

from django.contrib.auth import backends
from django.db import connections, router
from django.db.models import OuterRef

from core.compiled import CompiledValues, field_names, instance

# The district's columns come with this prefix, then go into a District.
_DISTRICT = "district__"


@CompiledValues
def _user_rows(user_id: int):
    from django.contrib.auth.models import Group
    from django.contrib.postgres.expressions import ArraySubquery

    from core.models import District, User

    names = Group.objects.filter(user=OuterRef("pk")).order_by().values("name")
    return (
        User.objects.filter(pk=user_id)
        .annotate(**{User.GROUP_NAMES: ArraySubquery(names)})
        .values(*field_names(User), *field_names(District, _DISTRICT), User.GROUP_NAMES)
    )


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """The active user `user_id`, with the group names and the district on PostgreSQL,
        or None."""
        from core.models import District, User

        alias = router.db_for_read(User)
        if connections[alias].vendor != "postgresql":
            return super().get_user(user_id)
        rows = _user_rows(int(user_id))
        if not rows:
            return None
        (row,) = rows
        user = instance(User, row)
        setattr(user, User.GROUP_NAMES, row[User.GROUP_NAMES])
        if user.district_id is not None:
            user.district = instance(District, row, _DISTRICT)
        return user if self.user_can_authenticate(user) else None
