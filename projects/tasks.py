from celery import shared_task
from django.utils import timezone

from projects import digest


@shared_task
def send_daily_digests() -> int:
    """Beat runs this each morning; running it twice the same day sends nothing more."""
    return digest.send_all_digests(today=timezone.localdate())
