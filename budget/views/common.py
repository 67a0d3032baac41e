from django.shortcuts import get_object_or_404

from budget.models import BudgetYear
from projects.services import ensure_office_staff


def office_year(request, year: int) -> BudgetYear:
    """The budget year, for office staff only (a district user gets 403)."""
    ensure_office_staff(request.user)
    return get_object_or_404(BudgetYear, year=year)
