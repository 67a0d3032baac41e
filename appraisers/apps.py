from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisersConfig(AppConfig):
    name = "appraisers"
    verbose_name = _("评估机构")

    def ready(self):
        from appraisers import clocks, stage_requirements  # noqa: F401  (registers the guards)

        clocks.register()

        from appraisers import todo as app_todo
        from core import todo

        todo.register(app_todo.todo_items)

        from appraisers.models import Valuation
        from core.history import register_household_model

        register_household_model(Valuation, "household_id")
