"""Django's PostgreSQL backend with a health check that needs no round trip while the
connection is quiet.

With CONN_HEALTH_CHECKS Django asks a reused connection `SELECT 1` before the first query of
every request: a round trip to PostgreSQL (and a statement for it to parse and run) on every
page that reads the database, about a tenth of the public look-up's work (issue 16). What that
check finds in practice is a connection the server has ended (a restart, pg_terminate_backend,
an idle timeout): the server then sends its error message and closes the socket, so the
socket has something to read while no query is running. A quiet, idle socket is taken as
healthy without asking; a socket with something to read, a connection that is not idle, or
one where an error has occurred since it last worked, is asked `SELECT 1` as Django does.
A connection cut silently in the network is found by neither check until TCP gives up (the
`SELECT 1` would wait for that too).

settings.py points DATABASES' ENGINE here when DATABASE_URL is a PostgreSQL one.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        """False when the connection is gone; without a round trip when its socket is quiet
        (see the module's docstring), else Django's `SELECT 1`."""
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if not self.errors_occurred and _quiet_and_idle(connection):
            return True
        return super().is_usable()


def _quiet_and_idle(connection) -> bool:
    """True when libpq reports the connection open and idle (no transaction) and its socket
    has nothing to read: the server has neither closed it nor sent anything unasked."""
    pgconn = connection.pgconn
    if pgconn.status != pq.ConnStatus.OK:
        return False
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return not poller.poll(0)
