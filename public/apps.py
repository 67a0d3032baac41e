from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("信息公开")

    def ready(self):
        from core import public_changes
        from public import cache

        # The domain apps say when public data changed; the cached pages then expire at once.
        public_changes.listen(cache.bump)
