from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisersConfig(AppConfig):
    name = "appraisers"
    verbose_name = _("评估机构")

    def ready(self):
        from appraisers import clocks, stage_requirements  # noqa: F401  (registers the guards)
        from core.clocks import register

        register(clocks.open_clocks)
