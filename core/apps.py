from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("用户与区县")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from core import (  # noqa: F401  (register the rules, the to-do sources, the lookups)
            deployment_checks,
            due,
            lookups,
            permissions,
            todo,
        )

        post_migrate.connect(due.fill_after_migrate, sender=self, dispatch_uid="core.due:fill")
        # The pages' frame keeps the office's name in the cache (Office.page_name).
        from core.models import Office

        for signal in (post_save, post_delete):
            signal.connect(Office.forget_page_name, sender=Office, dispatch_uid="core.office:name")
