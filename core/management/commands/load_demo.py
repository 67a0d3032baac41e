from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from appraisers import demo as appraisers_demo
from budget import demo as budget_demo
from compensation import demo as compensation_demo
from core import demo as core_demo
from core import due
from petitions import demo as petitions_demo
from projects import demo as projects_demo
from projects import demo_clocks as projects_demo_clocks
from projects import demo_signoffs as projects_demo_signoffs
from public import demo as public_demo
from resettlement import demo as resettlement_demo


class Command(BaseCommand):
    help = "Load the Shaoyang 2022 demo data and demo users (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-report",
            action="store_true",
            help="Also build and publish the 2022 annual report (a few seconds).",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give every demo user a new password and print it.",
        )

    def handle(self, *args, reset_passwords=False, with_report=False, **options):
        with transaction.atomic():
            logins = core_demo.load(reset_passwords=reset_passwords)
            projects_demo.load()
            appraisers_demo.load()
            compensation_demo.load()
            # After the breakdowns: the demo decisions decide each household's current total.
            projects_demo_clocks.load()
            resettlement_demo.load()
            petitions_demo.load()
            budget_demo.load()
            projects_demo_signoffs.load()
            # The demo loads many rows in bulk (no signals): store every clock once, at the end.
            due.recompute()
        if with_report:
            budget_demo.publish_report()
            public_demo.load()
        self.stdout.write(self.style.SUCCESS(_("演示数据已载入。")))
        self.stdout.write(_("演示账号（密码只显示这一次）："))
        for spec, password in logins:
            role = spec.section.label if spec.section else ""
            if spec.district_code:
                role = _("区县用户")
            if spec.is_superuser:
                role = _("系统管理员")
            shown = password or _("（已存在，密码未变；用 --reset-passwords 重设）")
            self.stdout.write(f"  {spec.username:<12} {spec.name:<8} {role:<10} {shown}")
