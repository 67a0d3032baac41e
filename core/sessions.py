"""Database sessions written in one statement each (SESSION_ENGINE = "core.sessions").

Django's database backend checks a new key is free with a SELECT and then inserts it inside a
transaction of its own (BEGIN, INSERT, COMMIT): four round trips to PostgreSQL for the one row
a household's look-up writes (issue 16: the look-up POST at 0.17–0.26× a trivial view). Here
a new session is one `INSERT … ON CONFLICT DO NOTHING` (a key already taken, 32 random
characters, affects no row and another key is drawn, as before) and a changed session one
UPDATE: a single statement needs no transaction around it. The table, the row and what
the session holds are Django's; other databases fall back to Django's own code.

Every logged-in page reads its session row first: that read's SQL is written once
(core.compiled.CompiledValues) instead of by the ORM on every request.

A session write outside a transaction also commits asynchronously (synchronous_commit off
for that statement alone): PostgreSQL answers before the WAL is flushed to disk, a wait for
the disk the request would otherwise share. What a crash can lose is the last fraction of a
second of session writes (three times wal_writer_delay at most, 200 ms by default): someone
signs in, or a household looks itself up, again. It never loses or reorders other data:
every other transaction still waits for its own flush, which carries the session rows
written before it.
"""

import secrets
from datetime import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from core.compiled import CompiledValues

KEY_LENGTH = 32
# A FROM item that turns synchronous_commit off for the statement's own transaction
# (set_config's third argument: local to the transaction).
_ASYNCHRONOUS_COMMIT = "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS _commit "


@CompiledValues
def _live_session_data(key: str, now: datetime):
    return Session.objects.filter(session_key=key, expire_date__gt=now).values("session_data")


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        """What the session holds, or {} (and no key) when its row is missing or has expired:
        Django's `load`, with the row read by SQL written once."""
        if self.session_key is None:
            return {}
        rows = _live_session_data(self.session_key, timezone.now())
        if not rows:
            self._session_key = None
            return {}
        return self.decode(rows[0]["session_data"])

    def _get_new_session_key(self) -> str:
        """32 characters of a–z and 0–9, uniformly random (as Django's key), from one call to
        the system's random source instead of one per character. Not looked up first: the
        INSERT refuses a key already taken (see `save`)."""
        number = secrets.randbelow(len(VALID_KEY_CHARS) ** KEY_LENGTH)
        characters = []
        for _ in range(KEY_LENGTH):
            number, digit = divmod(number, len(VALID_KEY_CHARS))
            characters.append(VALID_KEY_CHARS[digit])
        return "".join(characters)

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
        # Outside a transaction the statement is its own, and commits without waiting for
        # the WAL to reach the disk (see the module's docstring); inside one, as it comes.
        quick = "" if connection.in_atomic_block else _ASYNCHRONOUS_COMMIT
        with connection.cursor() as cursor:
            if must_create:
                columns = f"{key}, {body}, {expiry}"
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT %s, %s, %s {quick}"
                    f"ON CONFLICT ({key}) DO NOTHING",
                    [self.session_key, *values],
                )
                if cursor.rowcount != 1:
                    raise CreateError
            else:
                cursor.execute(
                    f"UPDATE {table} SET {body} = %s, {expiry} = %s {quick}"  # noqa: S608
                    f"WHERE {key} = %s",
                    [*values, self.session_key],
                )
                if cursor.rowcount != 1:
                    raise UpdateError
        return None
