from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("征收项目")

    def ready(self):
        from core.clocks import register
        from projects import panels  # noqa: F401  (registers the dashboard cards)
        from projects.clocks import open_clocks

        register(open_clocks)
