from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("信访")

    def ready(self):
        from core import due
        from petitions import clocks, deadlines
        from petitions.panels import due_panel

        # The petition clocks are stored through core.due (the due list, the deadlines page
        # and the digest read them); the dashboard shows the count of cases falling due,
        # counted by core.due with the other cards of stored clocks.
        clocks.register()
        due.register_card(
            "petitions.due",
            days=lambda: deadlines.period("PETITION_DUE_SOON_DAYS"),
            kinds=clocks.KINDS,
            panels=due_panel,
        )
