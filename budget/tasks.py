from celery import shared_task

from budget import services


@shared_task
def build_annual_report(run_id: int) -> str:
    """Build a report run's files (safe to run twice: a finished run is left alone)."""
    return services.build_report(run_id=run_id).status


@shared_task
def requeue_stalled_reports() -> list[int]:
    """Beat, every few minutes: runs that stopped moving are queued again once, then failed.
    Returns [re-queued, failed]. Safe to run twice (a re-queued run has just moved)."""
    return list(services.requeue_stalled_reports())
