from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("用户与区县")

    def ready(self):
        from core import (  # noqa: F401  (register the rules, the to-do sources)
            deployment_checks,
            permissions,
            todo,
        )
