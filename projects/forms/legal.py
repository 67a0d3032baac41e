from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import check_document
from projects.models import (
    CompensationDecision,
    EnforcementApplication,
    Hazard,
    Household,
    Inspection,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UploadField(forms.FileField):
    def clean(self, *args, **kwargs):
        return check_document(super().clean(*args, **kwargs))


class ObjectionForm(forms.Form):
    household = forms.ModelChoiceField(label=_("被征收户"), queryset=Household.objects.none())
    raised_on = forms.DateField(label=_("提出日期"), widget=DATE)
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = project.households.order_by("code")

    def clean_raised_on(self):
        raised_on = self.cleaned_data["raised_on"]
        if raised_on > timezone.localdate():
            raise forms.ValidationError(_("异议提出日期不能晚于今天。"))
        return raised_on


class AnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("答复日期"), widget=DATE)
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 3}))


class RiskAssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("评估日期"), widget=DATE)
    households_surveyed = forms.IntegerField(label=_("调查户数"), min_value=1)
    households_opposed = forms.IntegerField(label=_("反对户数"), min_value=0)
    conclusion = forms.CharField(
        label=_("评估结论"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    document = UploadField(label=_("评估报告"), required=False)


class SuspensionForm(forms.Form):
    number = forms.CharField(label=_("文号"), max_length=100)
    issued_on = forms.DateField(label=_("发文日期"), widget=DATE)
    months = forms.IntegerField(label=_("暂停期限（月）"), min_value=1, max_value=12, initial=12)
    agencies = forms.CharField(label=_("送达部门"), max_length=300)
    scope = forms.CharField(
        label=_("暂停办理事项"),
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("新建、扩建、改建房屋和改变房屋用途等不当增加补偿费用的行为"),
    )
    document = UploadField(label=_("通知书"), required=False)


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("决定书文号"), max_length=100)
    decided_on = forms.DateField(label=_("作出日期"), widget=DATE)
    amount = forms.DecimalField(
        label=_("补偿金额（元）"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("取自该户补偿明细的合计金额；如需调整，须填写调整理由。"),
    )
    amount_reason = forms.CharField(
        label=_("金额调整理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = UploadField(label=_("决定书"), required=False)
    states_rights = forms.BooleanField(
        label=_("决定书已告知复议、诉讼权利、期限和受理机关"),
        required=False,
        initial=True,
        help_text=_("未告知的，复议、起诉期限按最长一年计算。"),
    )
    reconsideration_body = forms.CharField(label=_("行政复议机关"), max_length=100, required=False)
    court = forms.CharField(label=_("管辖法院"), max_length=100, required=False)


class ServeForm(forms.Form):
    served_on = forms.DateField(label=_("送达日期"), widget=DATE)
    proof = UploadField(label=_("送达回证"), required=False)


class ReconsiderationForm(forms.Form):
    applied_on = forms.DateField(label=_("申请复议日期"), widget=DATE)
    accepted_on = forms.DateField(
        label=_("复议受理日期"),
        widget=DATE,
        required=False,
        help_text=_("未填写的，按收到申请后5个工作日视为受理推算。"),
    )
    extended_days = forms.IntegerField(
        label=_("复议期限延长（日）"), min_value=0, max_value=30, required=False, initial=0
    )
    decided_on = forms.DateField(label=_("复议决定日期"), widget=DATE, required=False)
    received_on = forms.DateField(
        label=_("复议决定书送达日期"),
        widget=DATE,
        required=False,
        help_text=_("起诉期限自被征收人收到复议决定书之日起算。"),
    )
    outcome = forms.ChoiceField(
        label=_("复议结果"),
        required=False,
        choices=[("", _("尚未决定")), *CompensationDecision.Outcome.choices],
    )


class LitigationForm(forms.Form):
    filed_on = forms.DateField(label=_("起诉日期"), widget=DATE)
    judgment_on = forms.DateField(label=_("判决日期"), widget=DATE, required=False)
    final_on = forms.DateField(
        label=_("判决生效日期"),
        widget=DATE,
        required=False,
        help_text=_("判决尚未生效（上诉期内或上诉中）的不填。"),
    )
    served_on = forms.DateField(
        label=_("生效判决送达日期"),
        widget=DATE,
        required=False,
        help_text=_("申请强制执行的二年期限自生效判决送达之日起算；未填写时暂以判决日期推算。"),
    )
    outcome = forms.ChoiceField(
        label=_("判决结果"),
        required=False,
        choices=[("", _("尚未判决")), *CompensationDecision.Outcome.choices],
    )


class AnnounceForm(forms.Form):
    published_on = forms.DateField(label=_("公告日期"), widget=DATE)


class WarningForm(forms.Form):
    served_on = forms.DateField(label=_("催告书送达日期"), widget=DATE)
    document = UploadField(label=_("催告书"), required=False)


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = EnforcementApplication
        fields = [
            "filed_on",
            "court",
            "has_decision",
            "has_service_proof",
            "has_risk_assessment",
            "has_compensation_proof",
        ]
        widgets = {"filed_on": DATE}


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("办结日期"), widget=DATE)
    closure = forms.ChoiceField(label=_("办结方式"), choices=CompensationDecision.Closure.choices)


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["name", "started_on", "ended_on", "description"]
        widgets = {"started_on": DATE, "ended_on": DATE}


class HazardForm(forms.ModelForm):
    class Meta:
        model = Hazard
        fields = [
            "project",
            "category",
            "place",
            "description",
            "responsible_unit",
            "measures",
            "due_on",
        ]
        widgets = {
            "due_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 2}),
        }


class HazardStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("整改状态"), choices=Hazard.Status.choices)
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=DATE, required=False)
