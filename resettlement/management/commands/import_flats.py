from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.models import District
from core.sheet_import import describe_problem
from resettlement import imports


class Command(BaseCommand):
    help = (
        "Import a stock list (.xlsx, the template's columns) the way the import page does: "
        "every row is saved, or, when any row has an error, none (the errors go to stderr). "
        "Estates not yet registered are registered in --district."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--district",
            required=True,
            metavar="CODE",
            help="The code of the district new estates are registered in.",
        )
        parser.add_argument("file", metavar="FILE.xlsx", help="The filled-in stock template.")

    def handle(self, *args, district, file, **options):
        try:
            target = District.objects.get(code=district)
        except District.DoesNotExist as missing:
            raise CommandError(_("没有代码为 %(code)s 的区县。") % {"code": district}) from missing
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        with path.open("rb") as handle:
            try:
                result = imports.import_stock(
                    file=File(handle, name=path.name), district=target, by=None
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        if result.errors:
            for error in result.errors:
                self.stderr.write(describe_problem(error))
            raise CommandError(
                _("文件中有%(count)s处错误，没有导入任何数据。") % {"count": len(result.errors)}
            )
        for warning in result.warnings:
            self.stderr.write(_("提示：%(line)s") % {"line": describe_problem(warning)})
        self.stdout.write(
            self.style.SUCCESS(_("已导入%(count)s套房源。") % {"count": result.row_count})
        )
