"""Forms core's own pages and every app's sign-off steps (core.signoffs) share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.calendar_arrangement import parse_arrangement, read_upload


class ArrangementForm(forms.Form):
    """The State Council's arrangement of one year, pasted or uploaded; cleaned into its days."""

    notice_number = forms.CharField(
        label=_("通知文号"),
        max_length=60,
        required=False,
        help_text=_("如：国办发明电〔2026〕7号。"),
    )
    text = forms.CharField(
        label=_("粘贴通知内容或日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "每行一个日期，如“2027-01-01 元旦”“2027-02-05至2027-02-11 春节”“2027-02-07 调休上班”"
            "（含“上班”的为调休上班日，其余为放假日）；也可直接粘贴通知原文。"
        ),
    )
    upload = forms.FileField(
        label=_("或上传文件"), required=False, help_text=_(".txt 或 .docx，不超过1MB。")
    )

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        text = cleaned.get("text") or ""
        if upload:
            text = read_upload(upload)
        if not text.strip():
            raise ValidationError(_("请粘贴或上传国务院办公厅节假日安排通知的内容。"))
        cleaned["text"] = text
        cleaned["days"] = parse_arrangement(text, year=self.year)
        return cleaned


class SignOffForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("退回时必须填写意见。")},
    )
