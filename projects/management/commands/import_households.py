from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects import imports
from projects.models import Project


def _project_by_code(code: str) -> Project:
    """Project.objects.by_code, its refusals as CommandError (in Chinese, naming the codes
    when several differ only in case)."""
    try:
        return Project.objects.by_code(code)
    except Project.DoesNotExist as missing:
        raise CommandError(_("没有编号为 %(code)s 的项目。") % {"code": code}) from missing
    except Project.MultipleObjectsReturned as several:
        codes = Project.objects.filter(code__iexact=code).order_by("pk").values_list("code")
        raise CommandError(
            _("有多个项目的编号只是大小写不同（%(codes)s），请按准确的大小写输入。")
            % {"codes": "、".join(found for (found,) in codes[:10])}
        ) from several


class Command(BaseCommand):
    help = (
        "Import a household survey file (.xlsx, the template's columns) into a project: "
        "every row is saved, or, when any row has an error, none (the errors go to stderr)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, metavar="CODE", help="The project's code.")
        parser.add_argument("file", metavar="FILE.xlsx", help="The filled-in survey template.")

    def handle(self, *args, project, file, **options):
        target = _project_by_code(project)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        with path.open("rb") as handle:
            try:
                record, result = imports.import_household_file(
                    project=target, file=File(handle, name=path.name)
                )
            except imports.HouseholdRowsInvalid as invalid:
                for line in invalid.messages:
                    self.stderr.write(line)
                raise CommandError(
                    _("文件中有%(count)s处错误，没有导入任何数据。") % {"count": len(invalid.rows)}
                ) from invalid
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        for warning in result.warnings:
            self.stderr.write(_("提示：%(line)s") % {"line": imports.describe_problem(warning)})
        self.stdout.write(
            self.style.SUCCESS(
                _("已向项目“%(project)s”（%(code)s）导入%(count)s户被征收户。")
                % {"project": target.name, "code": target.code, "count": record.row_count}
            )
        )
