"""Forms for compensation plans: the district's submission and the review thread.

The forms only validate input; the views hand `cleaned_data` to projects.services.
"""

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.uploads import check_upload
from projects.models import CompensationPlan

PLAN_DOCUMENT_TYPES = (".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png")


PLAN_STANDARDS = [
    "valuation_basis",
    "compensation_budget",
    "relocation_allowance",
    "temporary_rate",
    "temporary_months",
    "monetary_temporary_months",
    "early_signing_bonus",
    "early_signing_deadline",
    "subsidy_dibao",
    "subsidy_tekun",
    "subsidy_disabled",
    "subsidy_poverty",
    "swap_rules",
    "swap_unit_price",
    "business_loss_rate",
    "public_tenant_percent",
    "rounding",
]


class PlanForm(forms.ModelForm):
    """A version of the plan: the structured standards, the document and a covering note.

    With `previous` (the version being answered) the standards start from it, and the
    document may be left empty to carry the previous version's file over unchanged.
    """

    comment = forms.CharField(
        label=_("提交说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("可说明本版修改了哪些内容，将记入审核记录。"),
    )

    class Meta:
        model = CompensationPlan
        fields = [*PLAN_STANDARDS, "document"]
        widgets = {
            "valuation_basis": forms.Textarea(attrs={"rows": 3}),
            "swap_rules": forms.Textarea(attrs={"rows": 4}),
            "early_signing_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "document": forms.ClearableFileInput(attrs={"accept": ",".join(PLAN_DOCUMENT_TYPES)}),
        }
        help_texts = {
            "document": _("PDF、Word（.doc/.docx）或图片（JPG/PNG），不超过10MB。"),
        }

    def __init__(self, *args, previous: CompensationPlan | None = None, **kwargs):
        if previous is not None:
            kwargs.setdefault("initial", {name: getattr(previous, name) for name in PLAN_STANDARDS})
        super().__init__(*args, **kwargs)
        self.previous = previous
        # The model does not bound the subsidies; a negative amount is never meant.
        for name in ("subsidy_dibao", "subsidy_tekun", "subsidy_disabled", "subsidy_poverty"):
            self.fields[name].validators.append(MinValueValidator(Decimal("0")))
            self.fields[name].widget.attrs["min"] = "0"
        if previous is not None and previous.document:
            self.fields["document"].required = False
            self.fields["document"].help_text = _(
                "PDF、Word（.doc/.docx）或图片（JPG/PNG），不超过10MB。"
                "不上传则沿用第%(version)s版的方案文本。"
            ) % {"version": previous.version}

    def clean_document(self):
        return check_upload(
            self.cleaned_data.get("document"),
            types=PLAN_DOCUMENT_TYPES,
            types_label=_("PDF、Word 或 JPG/PNG 图片"),
        )

    def clean(self):
        cleaned = super().clean()
        bonus = cleaned.get("early_signing_bonus")
        if bonus and not cleaned.get("early_signing_deadline"):
            self.add_error("early_signing_deadline", _("设置了提前签约奖励，请填写奖励截止日期。"))
        return cleaned

    def standards(self) -> dict:
        """What submit_plan takes: the standards and the document (new, or carried over)."""
        data = {name: self.cleaned_data[name] for name in PLAN_STANDARDS}
        document = self.cleaned_data.get("document")
        if not document and self.previous is not None:
            # The same stored file: uploads never overwrite, so the old version keeps it too.
            document = self.previous.document.name
        data["document"] = document
        return data


class ReturnPlanForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("退回方案时必须填写审核意见。")},
    )


class ApprovePlanForm(forms.Form):
    comment = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanReplyForm(forms.Form):
    comment = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写内容。")},
    )
