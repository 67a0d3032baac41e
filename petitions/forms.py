from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import NormalizedFormField
from core.models import District, User
from core.normalize import normalize_identifier, normalize_reference
from core.scoping import visible_to
from core.uploads import check_document
from petitions import deadlines
from petitions.models import (
    Category,
    Channel,
    DutyRoster,
    DutyShift,
    Petition,
    PetitionDocument,
    Petitioner,
    ReviewOutcome,
    Route,
    Status,
    Visit,
)
from projects.forms.households import DATE
from projects.models import Household, Project

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _today():
    return timezone.localdate()


def _checked_document(upload):
    return check_document(upload)


class _ScopedPlaceMixin:
    """District and project choices limited to what the user may see."""

    def _scope_place(self, user: User) -> None:
        self.fields["district"].queryset = visible_to(District.objects.active(), user)
        self.fields["district"].required = False
        self.fields["district"].help_text = _("填写涉及项目时自动取项目所在区县。")
        self.fields["project"].queryset = visible_to(
            Project.objects.select_related("district"), user
        ).order_by(F("started_on").desc(nulls_first=True), "name")  # not started yet first

    def _clean_place(self, cleaned: dict) -> None:
        project, district = cleaned.get("project"), cleaned.get("district")
        if project is None and district is None:
            self.add_error("district", _("请选择所属区县或涉及项目。"))
        elif project is not None:
            if district is not None and district.pk != project.district_id:
                self.add_error("district", _("所属区县应与涉及项目的区县一致。"))
            cleaned["district"] = project.district


# ---------------------------------------------------------------------------
# Cases


class PetitionFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(label=_("办理状态"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    channel = forms.ChoiceField(label=_("形式"), required=False)
    district = forms.ModelChoiceField(
        label=_("区县"), queryset=District.objects.none(), required=False, empty_label=_("全部区县")
    )
    year = forms.IntegerField(label=_("收到年度"), required=False, min_value=1990, max_value=2100)
    legacy = forms.ChoiceField(
        label=_("遗留积案"),
        required=False,
        choices=[("", _("全部")), ("open", _("未化解积案")), ("all", _("全部积案"))],
    )
    mine = forms.BooleanField(label=_("仅我承办的"), required=False)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["status"].choices = [
            ("", _("全部状态")),
            ("open", _("未办结")),
            *Status.choices,
        ]
        self.fields["category"].choices = [("", _("全部类别")), *Category.choices]
        self.fields["channel"].choices = [("", _("全部形式")), *Channel.choices]
        self.fields["q"].widget.attrs["placeholder"] = _("编号、信访人或信访事项")

    def filter(self, petitions, *, user):
        if not self.is_valid():
            return petitions
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            petitions = petitions.filter(
                Q(reference__icontains=q)
                | Q(petitioners__name__icontains=q)
                | Q(request__icontains=q)
            ).distinct()
        if data["status"] == "open":
            petitions = petitions.open()
        elif data["status"]:
            petitions = petitions.filter(status=data["status"])
        for name in ("category", "channel", "district"):
            if data[name]:
                petitions = petitions.filter(**{name: data[name]})
        if data["year"]:
            petitions = petitions.received_in(data["year"])
        if data["legacy"] == "open":
            petitions = petitions.legacy().filter(legacy_resolved_on__isnull=True)
        elif data["legacy"] == "all":
            petitions = petitions.legacy()
        if data["mine"]:
            petitions = petitions.filter(assignee=user)
        return petitions


class PetitionForm(_ScopedPlaceMixin, forms.ModelForm):
    household_code = forms.CharField(
        label=_("被征收户户号"),
        max_length=30,
        required=False,
        help_text=_("涉及具体被征收户时填写，须同时选择项目。"),
    )
    repeat_reference = forms.CharField(
        label=_("原信访件编号"),
        max_length=20,
        required=False,
        help_text=_("以同一事实和理由再次信访的，填写原信访件编号，如 XF2022-0001。"),
    )

    class Meta:
        model = Petition
        fields = [
            "received_on",
            "channel",
            "referred_by",
            "referral_number",
            "project",
            "district",
            "category",
            "request",
            "people_count",
        ]
        widgets = {"received_on": DATE, "request": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._scope_place(user)
        if self.instance.pk:
            if self.instance.household_id:
                self.fields["household_code"].initial = self.instance.household.code
            if self.instance.repeat_of_id:
                self.fields["repeat_reference"].initial = self.instance.repeat_of.reference
        else:
            self.fields["received_on"].initial = _today()

    def clean(self):
        cleaned = super().clean()
        self._clean_place(cleaned)
        if cleaned.get("channel") == Channel.REFERRED and not cleaned.get("referred_by"):
            self.add_error("referred_by", _("上级交办的信访件须填写交办机关。"))
        code, project = cleaned.get("household_code", "").strip(), cleaned.get("project")
        cleaned["household"] = None
        if code:
            if project is None:
                self.add_error("household_code", _("填写户号时须选择涉及项目。"))
            else:
                household = Household.objects.filter(project=project, code=code).first()
                if household is None:
                    self.add_error("household_code", _("该项目中没有此户号。"))
                cleaned["household"] = household
        reference = cleaned.get("repeat_reference", "").strip().upper()
        cleaned["repeat_of"] = None
        if reference:
            original = visible_to(Petition, self.user).filter(reference=reference).first()
            if original is None or original.pk == self.instance.pk:
                self.add_error("repeat_reference", _("没有找到该编号的信访件。"))
            cleaned["repeat_of"] = original
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields["household"] = data["household"]
        fields["repeat_of"] = data["repeat_of"]
        return fields


class PetitionerForm(forms.ModelForm):
    class Meta:
        model = Petitioner
        fields = ["name", "id_number", "phone", "address", "is_representative"]


class DocumentForm(forms.ModelForm):
    class Meta:
        model = PetitionDocument
        fields = ["kind", "title", "number", "file"]

    def clean_file(self):
        return _checked_document(self.cleaned_data.get("file"))


# Step forms: each carries the date of the act and, where the law gives one, the document.


class _StepForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE, initial=_today)

    def clean_file(self):
        return _checked_document(self.cleaned_data.get("file"))


class AcceptForm(_StepForm):
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    number = forms.CharField(label=_("受理告知书文号"), max_length=100, required=False)
    file = forms.FileField(label=_("受理告知书"), required=False)


class DeclineForm(_StepForm):
    reason = forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 3}))
    number = forms.CharField(label=_("告知书文号"), max_length=100, required=False)
    file = forms.FileField(label=_("不予受理告知书"), required=False)


class TransferForm(_StepForm):
    to_body = forms.CharField(label=_("转送机关"), max_length=100)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    number = forms.CharField(label=_("转送函文号"), max_length=100, required=False)
    file = forms.FileField(label=_("转送函"), required=False)


class DivertForm(_StepForm):
    route = forms.ChoiceField(label=_("分流途径"), choices=Route.choices)
    note = forms.CharField(label=_("分流依据和告知情况"), widget=forms.Textarea(attrs={"rows": 3}))
    number = forms.CharField(label=_("告知书文号"), max_length=100, required=False)
    file = forms.FileField(label=_("告知书"), required=False)


class ExtendForm(_StepForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1)
    reason = forms.CharField(label=_("延期理由"), max_length=500)
    number = forms.CharField(label=_("延期告知书文号"), max_length=100, required=False)
    file = forms.FileField(label=_("延期告知书"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = deadlines.period("PETITION_EXTENSION_MAX_DAYS")
        self.fields["days"].max_value = limit
        self.fields["days"].widget.attrs["max"] = limit
        self.fields["days"].help_text = _("最多延长%(limit)d日，只能延长一次。") % {"limit": limit}


class ReplyForm(_StepForm):
    number = forms.CharField(label=_("意见书文号"), max_length=100)
    findings = forms.CharField(label=_("调查核实情况"), widget=forms.Textarea(attrs={"rows": 5}))
    opinion = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 5}))
    review_body = forms.CharField(
        label=_("复查机关"),
        max_length=100,
        help_text=_("信访人不服处理意见时可以请求复查的上一级机关。"),
    )
    file = forms.FileField(label=_("签章后的意见书扫描件"), required=False)


class ServedForm(_StepForm):
    on = forms.DateField(
        label=_("送达日期"),
        widget=DATE,
        initial=_today,
        help_text=_("信访人实际收到答复（或复查意见）的日期，请求复查、复核的期限自该日起算。"),
    )
    note = forms.CharField(label=_("送达方式"), max_length=200, required=False)
    file = forms.FileField(label=_("送达回证"), required=False)


class ReviewRequestForm(_StepForm):
    body = forms.CharField(label=_("复查机关"), max_length=100, required=False)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(label=_("复查请求材料"), required=False)


class ReviewForm(_StepForm):
    outcome = forms.ChoiceField(label=_("复查结论"), choices=ReviewOutcome.choices)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    number = forms.CharField(label=_("复查意见书文号"), max_length=100, required=False)
    file = forms.FileField(label=_("复查意见书"), required=False)


class RecheckRequestForm(_StepForm):
    body = forms.CharField(label=_("复核机关"), max_length=100)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(label=_("复核请求材料"), required=False)


class RecheckForm(_StepForm):
    outcome = forms.ChoiceField(label=_("复核结论"), choices=ReviewOutcome.choices)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    number = forms.CharField(label=_("复核意见书文号"), max_length=100, required=False)
    file = forms.FileField(label=_("复核意见书"), required=False)


class ReportForm(_StepForm):
    note = forms.CharField(label=_("报送内容摘要"), widget=forms.Textarea(attrs={"rows": 3}))
    number = forms.CharField(label=_("报告文号"), max_length=100, required=False)
    file = forms.FileField(label=_("调查情况报告"), required=False)


class CloseForm(_StepForm):
    note = forms.CharField(
        label=_("结案说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LegacyForm(_StepForm):
    note = forms.CharField(label=_("列为积案的原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(_StepForm):
    resolution = forms.CharField(label=_("化解情况"), widget=forms.Textarea(attrs={"rows": 3}))
    number = forms.CharField(label=_("协议编号"), max_length=100, required=False)
    file = forms.FileField(label=_("化解协议"), required=False)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("承办人"), queryset=User.objects.none())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            Q(district__isnull=True) | Q(district=petition.district_id), is_active=True
        ).order_by(
            # The district's staff by name, then the office's (no district) on every database,
            # as PostgreSQL sorts NULL in an ascending order.
            F("district__sort_order").asc(nulls_last=True),
            F("district").asc(nulls_last=True),
            "username",
        )
        self.fields["assignee"].initial = petition.assignee_id


# ---------------------------------------------------------------------------
# Visits


class VisitForm(_ScopedPlaceMixin, forms.ModelForm):
    petition_reference = forms.CharField(
        label=_("关联信访件编号"),
        max_length=20,
        required=False,
        help_text=_("就已登记的信访件再次来访的，填写其编号；新的信访事项可在保存后登记为信访件。"),
    )

    class Meta:
        model = Visit
        fields = [
            "visited_on",
            "project",
            "district",
            "people_count",
            "visitor_name",
            "visitor_id_number",
            "visitor_phone",
            "summary",
            "handling",
        ]
        widgets = {
            "visited_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "handling": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._scope_place(user)
        if not self.instance.pk:
            self.fields["visited_on"].initial = _today()
        elif self.instance.petition_id:
            self.fields["petition_reference"].initial = self.instance.petition.reference

    def clean(self):
        cleaned = super().clean()
        self._clean_place(cleaned)
        reference = cleaned.get("petition_reference", "").strip().upper()
        cleaned["petition"] = None
        if reference:
            cleaned["petition"] = (
                visible_to(Petition, self.user).filter(reference=reference).first()
            )
            if cleaned["petition"] is None:
                self.add_error("petition_reference", _("没有找到该编号的信访件。"))
        return cleaned

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["petition"] = self.cleaned_data["petition"]
        return fields


class VisitFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)
    district = forms.ModelChoiceField(
        label=_("区县"), queryset=District.objects.none(), required=False, empty_label=_("全部区县")
    )
    q = forms.CharField(label=_("搜索"), required=False)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["q"].widget.attrs["placeholder"] = _("来访人或反映问题")

    def filter(self, visits):
        if not self.is_valid():
            return visits
        data = self.cleaned_data
        if data["year"]:
            visits = visits.in_year(data["year"])
        if data["district"]:
            visits = visits.filter(district=data["district"])
        if data["q"]:
            visits = visits.filter(
                Q(visitor_name__icontains=data["q"]) | Q(summary__icontains=data["q"])
            )
        return visits


# ---------------------------------------------------------------------------
# Duty rosters


class RosterForm(forms.ModelForm):
    class Meta:
        model = DutyRoster
        fields = ["title", "kind", "starts_on", "ends_on", "is_round_the_clock", "phone", "note"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class ShiftForm(forms.ModelForm):
    class Meta:
        model = DutyShift
        fields = ["person", "role", "starts_at", "ends_at"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        office = User.objects.filter(is_active=True, district__isnull=True)
        self.fields["person"].queryset = office.order_by("username")
        self.fields["person"].label_from_instance = _person_label

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _person_label(user: User) -> str:
    return f"{user.get_full_name()}（{user.role_label}）"


# ---------------------------------------------------------------------------
# Public look-up and figures


class LookupForm(forms.Form):
    # Normalised before checking (core.normalize): "ＸＦ２０２２－０００１" is XF2022-0001.
    reference = NormalizedFormField(
        label=_("信访件编号"), max_length=20, normalizer=normalize_reference
    )
    code = NormalizedFormField(label=_("查询码"), max_length=20, normalizer=normalize_identifier)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].widget.attrs.update(
            {"placeholder": "XF2022-0001", "autocomplete": "off"}
        )
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters", "placeholder": "7KQ2M-XH9PD"}
        )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
