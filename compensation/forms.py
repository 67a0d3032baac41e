import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.models import (
    Category,
    LedgerEntry,
    PriceItem,
)
from projects.models import Household

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def money_field(label, *, min_value=Decimal("0.01"), **kwargs):
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, min_value=min_value, **kwargs
    )


class FundOpenForm(forms.Form):
    opened_on = forms.DateField(label=_("开户日期"), widget=DATE)
    account_number = forms.CharField(label=_("专户分户账号"), max_length=50, required=False)


class DepositForm(forms.Form):
    amount = money_field(_("金额（元）"))
    source = forms.ChoiceField(label=_("资金来源"), choices=LedgerEntry.Source.choices)
    voucher_number = forms.CharField(label=_("凭证号"), max_length=50)
    received_on = forms.DateField(label=_("到账日期"), widget=DATE)
    purpose = forms.CharField(label=_("摘要"), max_length=200, required=False)


class DisbursementRequestForm(forms.Form):
    """The idempotency key is made when the form is shown and travels with it, so a double
    click or a re-submitted page is the same request."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    amount = money_field(_("金额（元）"))
    category = forms.ChoiceField(label=_("费用类别"), choices=Category.choices)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    paid_on = forms.DateField(label=_("划拨日期"), widget=DATE)

    def __init__(
        self, *args, fixed_category: str | None = None, choose_category: bool = False, **kwargs
    ):
        """`fixed_category`: the only category offered (a subsidy's). `choose_category`: no
        category preselected, the user picks one (a request to the district office, which may
        be for any kind of cost)."""
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        if fixed_category:
            self.fields["category"].choices = [
                (value, label) for value, label in Category.choices if value == fixed_category
            ]
        elif choose_category:
            self.fields["category"].choices = [("", _("请选择费用类别")), *Category.choices]


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), max_length=200)


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=150)


class PriceItemForm(forms.ModelForm):
    class Meta:
        model = PriceItem
        fields = ["name", "unit", "unit_price", "sort_order"]


class ItemCountsForm(forms.Form):
    """One quantity field per catalogue item of the project (0 or empty: none)."""

    def __init__(self, *args, items, counts: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.DecimalField(
                label=f"{item.name}（{item.unit_price}元/{item.unit}）",
                max_digits=10,
                decimal_places=2,
                min_value=0,
                required=False,
                initial=counts.get(item.pk),
            )

    def quantities(self):
        for item in self.items:
            yield item, self.cleaned_data.get(f"item_{item.pk}") or Decimal(0)


class AgreementDraftForm(forms.Form):
    method = forms.ChoiceField(
        label=_("补偿方式"),
        choices=[
            (Household.Method.MONETARY, _("货币补偿")),
            (Household.Method.SWAP, _("产权调换")),
        ],
    )
    swap_area = forms.DecimalField(
        label=_("调换房屋面积（平方米）"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("产权调换时填写；已在选房日选定安置房的，留空即按所选房屋面积结算。"),
    )
    swap_transition = forms.BooleanField(
        label=_("期房安置（有过渡期）"), required=False, initial=True
    )


class SignAgreementForm(forms.Form):
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class SupplementForm(forms.Form):
    number = forms.CharField(label=_("补充协议编号"), max_length=60)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    reason = forms.CharField(label=_("变更事由"), widget=forms.Textarea(attrs={"rows": 3}))
    adjustment = forms.DecimalField(
        label=_("调整金额（元）"),
        max_digits=14,
        decimal_places=2,
        help_text=_("增加填正数，减少填负数。"),
    )


class SwapSupplementForm(forms.Form):
    """The swap difference's supplement: its number and day; the amount is computed."""

    number = forms.CharField(label=_("补充协议编号"), max_length=60)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)


class TemplateForm(forms.Form):
    body = forms.CharField(
        label=_("模板正文"), widget=forms.Textarea(attrs={"rows": 28, "class": "template-body"})
    )


class SubsidyNoticeForm(forms.Form):
    period_days = forms.IntegerField(label=_("公示期（日）"), min_value=1, max_value=30, initial=7)


class CostBudgetForm(forms.Form):
    note = forms.CharField(
        label=_("编制说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[value] = money_field(
                _("%(category)s（元）") % {"category": label}, min_value=Decimal(0), initial=0
            )

    def amounts(self) -> dict[str, Decimal]:
        return {value: self.cleaned_data[value] for value in Category.values}


class FinalAccountForm(forms.Form):
    note = forms.CharField(label=_("决算说明"), widget=forms.Textarea(attrs={"rows": 3}))
