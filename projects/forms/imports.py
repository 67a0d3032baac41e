from django import forms
from django.utils.translation import gettext_lazy as _

from projects.imports import XLSX_CONTENT_TYPE


class HouseholdImportForm(forms.Form):
    """The survey file; what is in it is checked by projects.imports (one code path with the
    import_households command), not here."""

    file = forms.FileField(
        # An empty file gets the import's own message, like every other unusable file.
        allow_empty_file=True,
        label=_("调查登记表（.xlsx）"),
        help_text=_("请使用本页提供的模板填写；文件不能超过10MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )
