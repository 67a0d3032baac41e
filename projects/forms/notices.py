"""Forms for notices (公告/公示): drafting, publishing, and filtering the list."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import check_upload
from projects.models import Notice

# Lists posted with a notice (一榜, 二榜, 困难补助) are often spreadsheets.
NOTICE_ATTACHMENT_TYPES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png")


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["kind", "title", "body", "period_days", "attachment"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "attachment": forms.ClearableFileInput(
                attrs={"accept": ",".join(NOTICE_ATTACHMENT_TYPES)}
            ),
        }
        help_texts = {
            "period_days": _(
                "公示期从发布次日起算；0 表示不设公示期。补偿方案征求意见期不少于30日。"
            ),
            "attachment": _("可选。PDF、Word、Excel 或图片（JPG/PNG），不超过10MB。"),
        }

    def clean_attachment(self):
        return check_upload(
            self.cleaned_data.get("attachment"),
            types=NOTICE_ATTACHMENT_TYPES,
            types_label=_("PDF、Word、Excel 或 JPG/PNG 图片"),
        )


class PublishNoticeForm(forms.Form):
    """The publication date defaults to today; staff may enter an earlier one for a notice
    already posted on paper."""

    published_on = forms.DateField(
        label=_("发布日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不填为今天。"),
    )

    def clean_published_on(self):
        day = self.cleaned_data.get("published_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("发布日期不能晚于今天。"))
        return day


class NoticeFilterForm(forms.Form):
    PUBLISHED = "published"
    DRAFT = "draft"

    q = forms.CharField(label=_("标题"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("类别"), required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), (PUBLISHED, _("已发布")), (DRAFT, _("草稿"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部类别")), *Notice.Kind.choices]
        self.fields["q"].widget.attrs["placeholder"] = _("按标题搜索")

    def filter(self, notices):
        """Apply the filters; invalid input filters nothing."""
        if not self.is_valid():
            return notices
        data = self.cleaned_data
        if data["q"]:
            notices = notices.filter(title__icontains=data["q"])
        if data["kind"]:
            notices = notices.filter(kind=data["kind"])
        if data["status"] == self.PUBLISHED:
            notices = notices.published()
        elif data["status"] == self.DRAFT:
            notices = notices.filter(published_on__isnull=True)
        return notices


class NoticeOverrideForm(forms.Form):
    """A leader's reason for letting a gated publication through (projects.gates.override)."""

    reason = forms.CharField(
        label=_("越过理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": _("越过办理条件须填写理由。")},
    )
