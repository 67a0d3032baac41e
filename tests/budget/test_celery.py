from decimal import Decimal

import pytest

from budget import services
from budget.models import AnnualReport
from core.roles import Section
from tests.budget.conftest import indicator
from tests.budget.factories import BudgetYearFactory
from tests.factories import staff


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_report_queued_from_the_service(celery_worker):
    finance = staff(Section.FINANCE, username="finance", name="陈财务")
    budget_year = BudgetYearFactory(year=2022)
    indicator(budget_year, finance, target=Decimal(1), actual=Decimal(1), weight=Decimal(50))

    run = services.request_report(budget_year=budget_year, by=finance)

    from budget.tasks import build_annual_report

    # The worker took the job queued on commit; wait for it through a second, no-op delivery
    # (a finished run is left alone), which the solo worker runs after the first.
    assert build_annual_report.delay(run.pk).get(timeout=60) == "done"
    run.refresh_from_db()
    assert (run.status, run.progress) == (AnnualReport.Status.DONE, 100)
    assert run.started_at <= run.finished_at
    with run.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
