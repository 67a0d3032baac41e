from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("信访")

    def ready(self):
        from core.clocks import register
        from core.panels import panel_provider
        from petitions.clocks import open_clocks
        from petitions.panels import due_panel

        # The deadlines page and the digest read the petition clocks through core.clocks;
        # the dashboard shows the count of cases falling due.
        register(open_clocks)
        panel_provider(due_panel)
