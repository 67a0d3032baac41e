"""Forms of the selection pages (resettlement.views.selection)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from resettlement.models import SelectionOrder, SelectionRound


class RoundForm(forms.Form):
    method = forms.ChoiceField(label=_("顺序确定方式"), choices=SelectionRound.Method.choices)
    selection_on = forms.DateField(
        label=_("选房日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DrawForm(forms.Form):
    witnesses = forms.CharField(label=_("见证人"), max_length=200)
    notary = forms.CharField(label=_("公证机构"), max_length=100, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class WaiveForm(forms.Form):
    """放弃选房 / 改选货币补偿 for one household of the round, with its reason."""

    order = forms.ModelChoiceField(label=_("顺序号"), queryset=None)
    waiver = forms.ChoiceField(label=_("情形"), choices=SelectionOrder.Waiver.choices)
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args, selection_round, **kwargs):
        super().__init__(*args, prefix="waive", **kwargs)
        self.fields["order"].queryset = selection_round.orders.filter(
            waived_at__isnull=True
        ).select_related("household")
        self.fields["order"].label_from_instance = lambda order: (
            _("%(number)s号 %(code)s户") % {"number": order.number, "code": order.household.code}
        )
