from celery import shared_task
from django.utils import timezone

from compensation import ledger


@shared_task
def check_ledgers() -> int:
    """Nightly: re-add every fund from its entries and verify the hash chains; the result is
    kept as a LedgerCheck row (shown on the funds page). Returns the number of problems.
    Reads one snapshot (see ledger.check_all), so postings made while it runs raise no alarm.
    Safe to run twice: each run only reads the ledger and records what it found."""
    return len(ledger.check_all().problems)


@shared_task
def publish_fund_hashes() -> int:
    """Daily: record each fund's latest hash for the public page. Safe to run twice a day."""
    return len(ledger.publish_fund_hashes(day=timezone.localdate()))
