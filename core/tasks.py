from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def clear_expired_sessions() -> int:
    """Delete sessions past their expiry; returns how many. Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def recompute_due_dates(run_id: int) -> int:
    """Recompute the stored due dates after a change of the holiday table (core.due
    .run_recompute); returns the rows written. Safe to run twice."""
    from core import due

    return due.run_recompute(run_id).written or 0
