"""Queueing background jobs from a request, so that a broker that cannot be reached costs the
user a few seconds and a clear page, never a hung request or a 500.

A job is sent once the transaction that wrote its rows commits, without subscribing to its
result: the web process never waits for a job, so the result store (which Celery would
otherwise connect to, retrying for ~20 s, before sending) is not on the request's path.
The broker's own timeouts (settings, "Jobs") bound the send to a few seconds.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What a send raises when the broker is down: kombu wraps the transport's connection errors in
# OperationalError; a socket that dies half-way may still surface as an OSError.
BROKER_ERRORS = (OperationalError, OSError)


class BrokerUnavailable(Exception):
    """The broker could not take a job. `retry_url` is the page where the user can retry it
    (the run the job was for, already marked failed), or "" when there is none."""

    def __init__(self, message: str, *, retry_url: str = ""):
        super().__init__(message)
        self.retry_url = retry_url


def queue_on_commit(
    task, *args, on_broker_down: Callable[[], str] | None = None, **options
) -> None:
    """Send `task(*args)` to the broker once the current transaction commits (at once outside
    one); without a broker (eager mode) the task runs in-process.

    If the broker cannot be reached, `on_broker_down()` runs (after the commit, so it can mark
    the job's run failed in its own transaction) and returns the URL where the user can retry;
    then BrokerUnavailable is raised, which core.middleware turns into a 503 page."""

    def send() -> None:
        try:
            task.apply_async(args=args, ignore_result=True, **options)
        except BROKER_ERRORS as error:
            logger.error("Broker unavailable, job %s%r not queued: %s", task.name, args, error)
            retry_url = on_broker_down() if on_broker_down else ""
            raise BrokerUnavailable(str(error), retry_url=retry_url) from error

    transaction.on_commit(send)
