"""Checks of the services the system depends on, for /healthz."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        logger.exception("Health check: database unavailable")
        return False


def broker_ok() -> bool:
    """In eager mode there is no broker to reach; otherwise connect once, briefly."""
    from config.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # kombu raises many kinds; any of them means "down"
        logger.exception("Health check: broker unavailable")
        return False
