"""Forms of the stock pages: estates, buildings, the flat filter, prices, voiding, freezing and
the stock import. They validate input; the rules live in resettlement.stock."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.spreadsheets import XLSX_CONTENT_TYPE
from projects.models import Project, Stage
from resettlement.models import Building, Estate, Flat, SwapTerms

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EstateForm(forms.ModelForm):
    class Meta:
        model = Estate
        fields = ["name", "district", "address", "developer", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class BuildingForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = ["name", "floors", "delivery", "expected_delivery_on", "delivered_on"]
        widgets = {"expected_delivery_on": DATE_INPUT, "delivered_on": DATE_INPUT}
        help_texts = {"expected_delivery_on": _("期房必填。")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("delivery") == Building.Delivery.OFF_PLAN and not cleaned.get(
            "expected_delivery_on"
        ):
            self.add_error("expected_delivery_on", _("期房须填写预计交付日期。"))
        return cleaned


class FlatFilterForm(forms.Form):
    """The flat list's filter; the same filter chooses the flats to freeze or export."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    estate = forms.ModelChoiceField(label=_("小区"), queryset=Estate.objects.none(), required=False)
    building = forms.ModelChoiceField(
        label=_("楼栋"), queryset=Building.objects.none(), required=False
    )
    state = forms.ChoiceField(label=_("状态"), required=False)
    kind = forms.ChoiceField(label=_("类别"), required=False)
    layout = forms.CharField(label=_("户型"), required=False, max_length=30)
    area_min = forms.DecimalField(
        label=_("面积不小于"), required=False, min_value=0, decimal_places=2
    )
    area_max = forms.DecimalField(
        label=_("面积不大于"), required=False, min_value=0, decimal_places=2
    )
    project = forms.ModelChoiceField(
        label=_("冻结用于项目"), queryset=Project.objects.none(), required=False
    )

    def __init__(self, *args, estates, buildings, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["building"].queryset = buildings.select_related("estate")
        self.fields["project"].queryset = projects
        self.fields["state"].choices = [("", _("全部")), *Flat.State.choices]
        self.fields["kind"].choices = [("", _("全部")), *Flat.Kind.choices]
        for name in ("area_min", "area_max"):
            self.fields[name].widget.attrs["step"] = "0.01"

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("area_min"), cleaned.get("area_max")
        if low is not None and high is not None and low > high:
            self.add_error("area_max", _("面积上限不能小于下限。"))
        return cleaned

    def filter(self, flats):
        """`flats` narrowed by the valid fields (an invalid form filters nothing out)."""
        if not self.is_bound or not self.is_valid():
            return flats
        data = self.cleaned_data
        if data["q"]:
            term = data["q"].strip()
            flats = flats.filter(
                Q(number__icontains=term)
                | Q(building__name__icontains=term)
                | Q(building__estate__name__icontains=term)
            )
        if data["estate"]:
            flats = flats.filter(building__estate=data["estate"])
        if data["building"]:
            flats = flats.filter(building=data["building"])
        if data["state"]:
            flats = flats.filter(state=data["state"])
        if data["kind"]:
            flats = flats.filter(kind=data["kind"])
        if data["layout"]:
            flats = flats.filter(layout__icontains=data["layout"].strip())
        if data["area_min"] is not None:
            flats = flats.filter(area__gte=data["area_min"])
        if data["area_max"] is not None:
            flats = flats.filter(area__lte=data["area_max"])
        if data["project"]:
            flats = flats.filter(project=data["project"])
        return flats

    @property
    def is_narrowed(self) -> bool:
        return (
            self.is_bound
            and self.is_valid()
            and any(value not in (None, "") for value in self.cleaned_data.values())
        )


class PriceForm(forms.Form):
    effective_on = forms.DateField(label=_("执行日期"), widget=DATE_INPUT)
    market_price = forms.DecimalField(
        label=_("市场价（元/平方米）"), min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    resettlement_price = forms.DecimalField(
        label=_("安置价（元/平方米）"), min_value=Decimal("0"), max_digits=12, decimal_places=2
    )


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


# A project's flats may be frozen from the plan stage on (projects.gates "flat.freeze").
FREEZABLE_STAGES = [s for s in Stage if s not in (Stage.INITIATION, Stage.SURVEY, Stage.ARCHIVED)]


class FreezeForm(forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    operation = forms.ChoiceField(
        label=_("操作"),
        choices=[("freeze", _("冻结用于该项目")), ("unfreeze", _("解冻（释放回空闲）"))],
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, prefix="freeze", **kwargs)
        self.fields["project"].queryset = projects


class StockImportForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,
        label=_("房源清单（.xlsx）"),
        help_text=_("请使用本页提供的模板填写；文件不能超过10MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )
    district = forms.ModelChoiceField(
        label=_("新建小区所在区县"),
        queryset=None,
        help_text=_("清单中尚未登记的小区将登记在此区县。"),
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class SwapTermsForm(forms.ModelForm):
    """The plan's swap selection rules; the tiers come in TierFormSet."""

    class Meta:
        model = SwapTerms
        fields = [
            "entitlement_ratio",
            "entitlement_bonus_area",
            "max_extra_area",
            "max_flats",
            "window_opens_on",
            "window_closes_on",
        ]
        widgets = {"window_opens_on": DATE_INPUT, "window_closes_on": DATE_INPUT}
        help_texts = {
            "entitlement_ratio": _(
                "应安置面积 = 被征收房屋建筑面积 × 比例 + 另增面积，按安置价结算。"
            ),
            "max_extra_area": _("超出应安置面积最多可购买的面积；不填为不限。"),
        }

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("window_opens_on"), cleaned.get("window_closes_on")
        if opens and closes and closes < opens:
            self.add_error("window_closes_on", _("选房截止日期不能早于开始日期。"))
        return cleaned


class TierForm(forms.Form):
    # A row left blank is no tier (clearing a row removes its tier).
    width = forms.DecimalField(
        label=_("面积（平方米）"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
    )
    unit_price = forms.DecimalField(
        label=_("单价（元/平方米）"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
    )
    market_percent = forms.DecimalField(
        label=_("或按市场价的比例（%）"),
        required=False,
        min_value=Decimal("0"),
        max_digits=5,
        decimal_places=2,
    )

    def clean(self):
        cleaned = super().clean()
        price, percent = cleaned.get("unit_price"), cleaned.get("market_percent")
        if cleaned.get("width") is None:
            if price is not None or percent is not None:
                raise forms.ValidationError(_("请填写该档的面积。"))
            return cleaned
        if (price is None) == (percent is None):
            raise forms.ValidationError(_("每档填写单价或按市场价的比例，二者填且只填一项。"))
        return cleaned


TierFormSet = forms.formset_factory(TierForm, extra=3, max_num=10, validate_max=True)


class WindowExtensionForm(forms.Form):
    """选房期限延长: the new closing day and the reason."""

    closes_on = forms.DateField(label=_("延长至"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("延长理由"), max_length=200)
