from celery import shared_task

from budget import services


@shared_task
def build_annual_report(run_id: int) -> str:
    """Build a report run's files (safe to run twice: a finished run is left alone)."""
    return services.build_report(run_id=run_id).status
