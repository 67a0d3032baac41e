from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = _("补偿资金")

    def ready(self):
        from compensation import clocks, documents, stage_requirements  # noqa: F401  (registers the guard)
        from projects import legal

        clocks.register()
        legal.register_announcement_writer(documents.announcement_text)

        from compensation import todo as app_todo
        from core import todo

        todo.register(app_todo.todo_items)
        _register_household_history()


def _register_household_history():
    from compensation.models import (
        Agreement,
        CompensationBreakdown,
        DisbursementRequest,
        HardshipSubsidy,
        ItemCount,
    )
    from core.history import register_household_model

    register_household_model(CompensationBreakdown, "household_id")
    register_household_model(ItemCount, "household_id")
    register_household_model(Agreement, "household_id", lambda row: row.number)
    register_household_model(HardshipSubsidy, "household_id")
    register_household_model(
        DisbursementRequest, "household_id", lambda row: f"#{row.id} {row.amount}元"
    )
