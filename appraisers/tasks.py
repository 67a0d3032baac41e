from celery import shared_task

from appraisers import services


@shared_task
def prepare_quarterly_credit_list() -> int:
    """Beat job, at the start of each quarter: the draft credit list of the quarter just ended.

    Safe to run twice: the draft for a period is created once and found the second time."""
    credit_list, _created = services.prepare_quarterly_credit_list()
    return credit_list.pk
