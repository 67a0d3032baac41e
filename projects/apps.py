from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("征收项目")

    def ready(self):
        from projects import (
            clocks,
            panels,  # noqa: F401  (registers the dashboard cards)
        )

        clocks.register()
        _register_household_history()

        from core import signoffs
        from projects import gates

        signoffs.register_holds("notice", gates.notice_holds)


def _register_household_history():
    from core.history import register_household_model
    from projects.models import (
        CompensationDecision,
        FamilyMember,
        Household,
        HouseholdDocument,
        Objection,
    )

    register_household_model(Household, "id", lambda row: row.code)
    register_household_model(FamilyMember, "household_id", lambda row: row.name)
    register_household_model(HouseholdDocument, "household_id", lambda row: row.title)
    register_household_model(Objection, "household_id")
    register_household_model(CompensationDecision, "household_id", lambda row: row.number)
