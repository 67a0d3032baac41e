from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = _("补偿资金")

    def ready(self):
        from compensation import clocks, stage_requirements  # noqa: F401  (registers the guard)
        from core.clocks import register

        register(clocks.open_clocks)
