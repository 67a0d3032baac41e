"""Roles: office staff belong to one or more sections (auth groups); leaders approve.

A section's value is the name of its auth group (data the administrator sees in the
admin); its label is what the interface shows, through the translation machinery.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    FINANCE = "计划财务科", _("计划财务科")
    LEGAL = "法规科", _("法规科")
    SECRETARIAT = "人事秘书科", _("人事秘书科")
    OPERATIONS = "业务科", _("业务科")
    LEADER = "领导", _("领导")
