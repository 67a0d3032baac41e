"""Forms of the selection pages (resettlement.views.selection)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from resettlement.models import SelectionRound


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
