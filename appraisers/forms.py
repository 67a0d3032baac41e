"""Forms for the appraisers app. They validate input only; views hand `cleaned_data` to
appraisers.services."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appraisers.models import (
    AppraisalFirm,
    CreditEventKind,
    CreditList,
    FirmSelection,
    Valuer,
)
from core.uploads import check_upload
from projects.models import Project

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx")


def money_field(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, min_value=Decimal("0.01"), **kwargs
    )


class FirmForm(forms.ModelForm):
    class Meta:
        model = AppraisalFirm
        fields = [
            "name",
            "credit_code",
            "grade",
            "certificate_number",
            "qualification_expires_on",
            "legal_representative",
            "contact_person",
            "phone",
            "address",
            "status",
            "note",
        ]
        widgets = {"qualification_expires_on": forms.DateInput(attrs={"type": "date"})}

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()


class FirmFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    grade = forms.ChoiceField(label=_("资质等级"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    expired = forms.BooleanField(label=_("仅资质过期"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("全部等级")), *AppraisalFirm.Grade.choices]
        self.fields["status"].choices = [("", _("全部状态")), *AppraisalFirm.Status.choices]
        self.fields["q"].widget.attrs["placeholder"] = _("名称或统一社会信用代码")

    def filter(self, firms, *, today):
        if not self.is_valid():
            return firms
        data = self.cleaned_data
        if data["q"]:
            firms = firms.filter(Q(name__icontains=data["q"]) | Q(credit_code__icontains=data["q"]))
        if data["grade"]:
            firms = firms.filter(grade=data["grade"])
        if data["status"]:
            firms = firms.filter(status=data["status"])
        if data["expired"]:
            firms = firms.filter(qualification_expires_on__lt=today)
        return firms


class ValuerForm(forms.ModelForm):
    class Meta:
        model = Valuer
        fields = ["name", "registration_number"]


class SelectionOpenForm(forms.Form):
    firms = forms.ModelMultipleChoiceField(
        label=_("候选机构"),
        queryset=AppraisalFirm.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只列出符合条件的机构；公布顺序按统一社会信用代码由小到大排列。"),
    )
    opened_on = forms.DateField(label=_("公布日期"), **DATE)

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firms"].queryset = AppraisalFirm.objects.filter(
            pk__in=[firm.pk for firm in eligible]
        ).order_by("credit_code")
        self.fields["firms"].label_from_instance = lambda firm: (
            f"{firm.name}（{firm.credit_code}，{firm.get_grade_display()}）"
        )


class _CandidateForm(forms.Form):
    def __init__(self, *args, selection: FirmSelection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = AppraisalFirm.objects.filter(
            pk__in=selection.candidates.values("firm")
        ).order_by("credit_code")


class NegotiationForm(_CandidateForm):
    firm = forms.ModelChoiceField(label=_("协商选定的机构"), queryset=AppraisalFirm.objects.none())
    agreed_households = forms.IntegerField(label=_("同意户数"), min_value=0)
    decided_on = forms.DateField(label=_("选定日期"), **DATE)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class VoteForm(_CandidateForm):
    household_code = forms.CharField(label=_("户号"), max_length=30)
    firm = forms.ModelChoiceField(label=_("所投机构"), queryset=AppraisalFirm.objects.none())


class DrawForm(forms.Form):
    witnesses = forms.CharField(
        label=_("见证人"),
        max_length=200,
        help_text=_("现场见证的被征收人代表、纪检监察人员等，多人以顿号分隔。"),
    )
    notary = forms.CharField(label=_("公证机构"), max_length=100, required=False)


class CommissionForm(forms.Form):
    contract_number = forms.CharField(label=_("合同编号"), max_length=50)
    signed_on = forms.DateField(label=_("签订日期"), **DATE)
    fee = money_field(_("评估费用（元）"))


class _RevisionFields(forms.Form):
    """The new report a re-check or review produces when it changes the result."""

    report_number = forms.CharField(label=_("新报告编号"), max_length=50, required=False)
    appraised_value = money_field(_("新评估价值（元）"), required=False)
    unit_price = forms.DecimalField(
        label=_("新评估单价（元/平方米）"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )
    reported_on = forms.DateField(label=_("新报告出具日期"), required=False, **DATE)
    valuers = forms.ModelMultipleChoiceField(
        label=_("签字估价师"),
        queryset=Valuer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    change_flag = ""
    revision_names = ("report_number", "appraised_value", "unit_price", "reported_on", "valuers")

    def __init__(self, *args, firm: AppraisalFirm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valuers"].queryset = Valuer.objects.filter(firm=firm, is_active=True)

    def clean(self):
        data = super().clean()
        if data.get(self.change_flag):
            for name in self.revision_names:
                if not data.get(name):
                    self.add_error(name, _("改变评估结果的，须填写此项。"))
        return data

    def revision(self) -> dict | None:
        if not self.cleaned_data.get(self.change_flag):
            return None
        return {name: self.cleaned_data[name] for name in self.revision_names}


class ValuationForm(forms.Form):
    report_number = forms.CharField(label=_("评估报告编号"), max_length=50)
    appraised_value = money_field(_("评估价值（元）"))
    unit_price = forms.DecimalField(
        label=_("评估单价（元/平方米）"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    valued_on = forms.DateField(label=_("估价时点"), **DATE)
    reported_on = forms.DateField(label=_("报告出具日期"), **DATE)
    delivered_on = forms.DateField(
        label=_("送达日期"),
        required=False,
        help_text=_("被征收人收到评估报告之日；申请复核的10日期限自次日起算。"),
        **DATE,
    )
    valuers = forms.ModelMultipleChoiceField(
        label=_("签字估价师"),
        queryset=Valuer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("至少2名受托机构的注册房地产估价师。"),
    )

    def __init__(self, *args, firm: AppraisalFirm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valuers"].queryset = Valuer.objects.filter(firm=firm, is_active=True)


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("送达日期"), **DATE)


class RecheckRequestForm(forms.Form):
    requested_on = forms.DateField(label=_("申请日期"), **DATE)
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 3}))


class RecheckAnswerForm(_RevisionFields):
    answered_on = forms.DateField(label=_("答复日期"), **DATE)
    result_delivered_on = forms.DateField(
        label=_("复核结果送达日期"), required=False, help_text=_("不填则为答复日期。"), **DATE
    )
    answer = forms.CharField(label=_("复核意见"), widget=forms.Textarea(attrs={"rows": 3}))
    changed = forms.BooleanField(label=_("改变评估结果（重新出具评估报告）"), required=False)
    change_flag = "changed"

    field_order = ["answered_on", "result_delivered_on", "answer", "changed"]


class ReviewRequestForm(forms.Form):
    requested_on = forms.DateField(label=_("申请日期"), **DATE)
    committee = forms.CharField(label=_("鉴定机构"), max_length=100, required=False)
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewDecisionForm(_RevisionFields):
    decided_on = forms.DateField(label=_("鉴定日期"), **DATE)
    opinion = forms.CharField(label=_("鉴定意见"), widget=forms.Textarea(attrs={"rows": 3}))
    corrected = forms.BooleanField(
        label=_("评估报告存在技术问题，由估价机构重新出具"), required=False
    )
    change_flag = "corrected"

    field_order = ["decided_on", "opinion", "corrected"]


class CreditEventForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("估价机构"), queryset=AppraisalFirm.objects.all())
    kind = forms.ModelChoiceField(
        label=_("事件类型"), queryset=CreditEventKind.objects.filter(is_active=True)
    )
    occurred_on = forms.DateField(label=_("发生日期"), **DATE)
    project = forms.ModelChoiceField(
        label=_("相关项目"), queryset=Project.objects.order_by("name"), required=False
    )
    description = forms.CharField(label=_("事实与依据"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("证明材料"), required=False)

    def clean_evidence(self):
        return check_upload(
            self.cleaned_data.get("evidence"),
            types=EVIDENCE_TYPES,
            types_label="PDF、JPG、PNG、Word",
        )


class CreditEventFilterForm(forms.Form):
    firm = forms.ModelChoiceField(
        label=_("估价机构"), queryset=AppraisalFirm.objects.all(), required=False
    )
    kind = forms.ModelChoiceField(
        label=_("事件类型"), queryset=CreditEventKind.objects.all(), required=False
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)

    def filter(self, events):
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["firm"]:
            events = events.filter(firm=data["firm"])
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["year"]:
            events = events.filter(occurred_on__year=data["year"])
        return events


class CreditEventKindForm(forms.ModelForm):
    class Meta:
        model = CreditEventKind
        fields = ["code", "name", "points", "description", "is_active"]


class CreditRulesForm(forms.Form):
    base_score = forms.IntegerField(label=_("基础分"), min_value=0, max_value=1000)


class CreditListForm(forms.Form):
    period_start = forms.DateField(label=_("评价期起"), **DATE)
    period_end = forms.DateField(label=_("评价期止"), **DATE)
    title = forms.CharField(
        label=_("标题"), max_length=100, required=False, help_text=_("不填则按评价期自动生成。")
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("评价期止不能早于评价期起。"))
        if start and end and CreditList.objects.filter(period_start=start, period_end=end).exists():
            self.add_error(None, _("该评价期已有信用名录。"))
        return data


class PublishListForm(forms.Form):
    published_on = forms.DateField(label=_("公布日期"), **DATE)
