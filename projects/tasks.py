from celery import shared_task
from django.utils import timezone

from projects import digest, imports


@shared_task
def send_daily_digests() -> int:
    """Beat runs this each morning; running it twice the same day sends nothing more."""
    return digest.send_all_digests(today=timezone.localdate())


@shared_task(bind=True)
def import_households(self, import_id: int) -> str:
    """Save a confirmed household import (a large file), reporting the rows saved so far as
    the job's progress; safe to run twice (an import already saved or failed is left alone)."""

    def progress(saved: int) -> None:
        if not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"saved": saved})

    return imports.run_household_import(import_id=import_id, progress=progress).status
