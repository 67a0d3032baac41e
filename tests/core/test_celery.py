from datetime import timedelta

import pytest
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
