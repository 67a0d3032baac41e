"""Forms of the settlement pages (resettlement.views.settlement)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.models import Flat

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LendForm(forms.Form):
    flat = forms.ModelChoiceField(label=_("周转房"), queryset=Flat.objects.none())
    on = forms.DateField(label=_("入住周转房日期"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, flats=None, **kwargs):
        super().__init__(*args, **kwargs)
        if flats is not None:
            self.fields["flat"].queryset = flats


class DayForm(forms.Form):
    """A date (腾退 or 交付)."""

    on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)


class HandoverForm(forms.Form):
    on = forms.DateField(label=_("交房日期"), widget=DATE, initial=timezone.localdate)
    keys = forms.IntegerField(label=_("钥匙（把）"), min_value=1, max_value=99, initial=2)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
