from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import check_document
from projects.models import FamilyMember, Household, HouseholdDocument

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdFilterForm(forms.Form):
    """The register's search (户号, 户主 or 坐落, any part) and filters; the register and its
    export turn them into their queries in one place (projects.views.households
    `register_households`)."""

    q = forms.CharField(label=_("搜索"), required=False, widget=forms.SearchInput)
    signed = forms.ChoiceField(
        label=_("签约"),
        required=False,
        choices=[("", _("全部")), ("yes", _("已签约")), ("no", _("未签约"))],
    )
    use = forms.ChoiceField(
        label=_("房屋用途"), required=False, choices=[("", _("全部")), *Household.Use.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("户号、户主姓名或房屋坐落")


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = [
            "code",
            "head_name",
            "id_number",
            "phone",
            "address",
            "use",
            "area",
            "hardship",
            "is_public_housing",
            "owner_unit",
            "ruling",
            "note",
            "registered_on",
            "moved_out_on",
            "demolished_on",
        ]
        widgets = {"registered_on": DATE, "moved_out_on": DATE, "demolished_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, a new household is registered today and an existing one keeps its date.
        self.fields["registered_on"].required = False

    def clean_registered_on(self):
        return self.cleaned_data.get("registered_on") or (
            self.instance.registered_on or timezone.localdate()
        )


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("签约日期"), widget=DATE)
    method = forms.ChoiceField(
        label=_("补偿方式"),
        choices=[
            (Household.Method.MONETARY, _("货币补偿")),
            (Household.Method.SWAP, _("产权调换")),
        ],
    )


class FamilyMemberForm(forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = ["name", "relation", "id_number", "phone"]


class DocumentForm(forms.ModelForm):
    class Meta:
        model = HouseholdDocument
        fields = ["kind", "title", "file"]

    def clean_file(self):
        return check_document(self.cleaned_data.get("file"))
