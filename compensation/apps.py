from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = _("补偿资金")

    def ready(self):
        from compensation import clocks, documents, stage_requirements  # noqa: F401  (registers the guard)
        from core.clocks import register
        from projects import legal

        register(clocks.open_clocks)
        legal.register_announcement_writer(documents.announcement_text)
