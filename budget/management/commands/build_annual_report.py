import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budget import services
from budget.figures import number_text
from budget.models import AnnualReport, BudgetYear


class Command(BaseCommand):
    help = (
        "Build a year's self-evaluation report and its three attachments without a broker "
        "(the same job Celery runs) and write report.pdf, report.docx, attachment1.xlsx, "
        "attachment2.xlsx and attachment3.xlsx into DIR. The run is kept, like one started "
        "from the web page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="Directory to write the files into.")

    def handle(self, *args, year, out, **options):
        budget_year = BudgetYear.objects.filter(year=year).first()
        if budget_year is None:
            raise CommandError(_("%(year)s年度尚未建立。") % {"year": year})
        run = AnnualReport.objects.create(budget_year=budget_year)
        run = services.build_report(run_id=run.pk)
        if run.status != AnnualReport.Status.DONE:
            raise CommandError(run.error or _("报告生成失败。"))
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        for field, filename in AnnualReport.FILES.items():
            with (
                getattr(run, field).open("rb") as source,
                open(directory / filename, "wb") as target,
            ):
                shutil.copyfileobj(source, target)
        for finding in run.findings:
            self.stderr.write(self.style.WARNING(f"{finding['where']}：{finding['message']}"))
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成%(year)s年度自评报告（得分%(score)s），文件在%(dir)s。")
                % {"year": year, "score": number_text(run.total_score), "dir": directory}
            )
        )
