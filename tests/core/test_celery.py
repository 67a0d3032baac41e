import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.tasks import clear_expired_sessions


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_clears_expired_sessions(celery_worker):
    expired = SessionStore()
    expired["user"] = 1
    expired.create()
    live = SessionStore()
    live.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )

    result = clear_expired_sessions.delay()

    assert result.get(timeout=20) == 1
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()


def test_a_worker_imports_weasyprint_as_it_starts_not_in_its_first_job():
    """In a fresh interpreter: loading the Celery app leaves the document engines out
    (WeasyPrint, and cairosvg for the report's chart in Word); the signal a worker sends as it
    starts (before its pool forks) brings them in."""
    script = (
        "import sys, django; django.setup();"
        "from config.celery import app; from celery import signals;"
        "engines = ('weasyprint', 'cairosvg');"
        "before = any(name in sys.modules for name in engines);"
        "signals.worker_init.send(sender=None);"
        "print(before, all(name in sys.modules for name in engines))"
    )
    result = subprocess.run(  # noqa: S603 (our interpreter, a fixed script)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.stdout.split() == ["False", "True"]
