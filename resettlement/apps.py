from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResettlementConfig(AppConfig):
    name = "resettlement"
    verbose_name = _("安置房源")
