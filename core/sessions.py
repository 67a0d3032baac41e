"""Database sessions written in one statement each (SESSION_ENGINE = "core.sessions").

Django's database backend checks a new key is free with a SELECT and then inserts it inside a
transaction of its own (BEGIN, INSERT, COMMIT): four round trips to PostgreSQL for the one row
a household's look-up writes (issue 16: the look-up POST at 0.17–0.26× a trivial view). Here
a new session is one `INSERT … ON CONFLICT DO NOTHING` (a key already taken, 32 random
characters, affects no row and another key is drawn, as before) and a changed session one
UPDATE: a single statement needs no transaction around it. The table, the row and what
the session holds are Django's; other databases fall back to Django's own code.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import connections, router
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self) -> str:
        # Not looked up first: the INSERT refuses a key already taken (see `save`).
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create: bool = False) -> None:
        """Insert (must_create: CreateError when the key is taken) or update (UpdateError when
        the row is gone) the session's row in one statement."""
        if self.session_key is None:
            return self.create()
        using = router.db_for_write(self.model)
        connection = connections[using]
        if connection.vendor != "postgresql":
            return super().save(must_create=must_create)
        data = self._get_session(no_load=must_create)
        model = self.model
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        key, body, expiry = (
            quote(model._meta.get_field(name).column)
            for name in ("session_key", "session_data", "expire_date")
        )
        values = [self.encode(data), self.get_expiry_date()]
        with connection.cursor() as cursor:
            if must_create:
                columns = f"{key}, {body}, {expiry}"
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s) "  # noqa: S608
                    f"ON CONFLICT ({key}) DO NOTHING",
                    [self.session_key, *values],
                )
                if cursor.rowcount != 1:
                    raise CreateError
            else:
                cursor.execute(
                    f"UPDATE {table} SET {body} = %s, {expiry} = %s WHERE {key} = %s",  # noqa: S608
                    [*values, self.session_key],
                )
                if cursor.rowcount != 1:
                    raise UpdateError
        return None
