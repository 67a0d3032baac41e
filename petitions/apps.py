from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("信访")

    def ready(self):
        from core.panels import panel_provider
        from petitions import clocks
        from petitions.panels import due_panel

        # The petition clocks are stored through core.due (the due list, the deadlines page
        # and the digest read them); the dashboard shows the count of cases falling due.
        clocks.register()
        panel_provider(due_panel)
