from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResettlementConfig(AppConfig):
    name = "resettlement"
    verbose_name = _("安置房源")

    def ready(self):
        from compensation.calculation import register_swap_choice_source

        # signals connects the receivers; plan_sections and stage_requirements register the
        # plan's swap rules section and the gate checks.
        from resettlement import plan_sections, signals, stage_requirements  # noqa: F401
        from resettlement.settlement import swap_choice

        register_swap_choice_source(swap_choice)

        from resettlement import clocks, documents

        clocks.register()
        documents.register()

        from core import todo
        from resettlement import todo as app_todo

        todo.register(app_todo.todo_items)
