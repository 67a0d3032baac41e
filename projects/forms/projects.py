from functools import partial

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.models import District, User
from core.roles import Section
from core.uploads import check_document
from projects.models import Approval, Project, Stage


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    district = forms.ModelChoiceField(
        label=_("区县"), queryset=District.objects.none(), required=False, empty_label=_("全部区县")
    )
    stage = forms.ChoiceField(label=_("阶段"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False)
    year = forms.IntegerField(label=_("实施年度"), required=False, min_value=1990, max_value=2100)
    is_key = forms.BooleanField(label=_("仅市重点项目"), required=False)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["stage"].choices = [("", _("全部阶段")), *Stage.choices]
        self.fields["kind"].choices = [("", _("全部类型")), *Project.Kind.choices]
        self.fields["q"].widget.attrs["placeholder"] = _("项目名称或编号")

    def filter(self, projects):
        """Apply the filters to a queryset; invalid input filters nothing."""
        if not self.is_valid():
            return projects
        data = self.cleaned_data
        if data["q"]:
            projects = projects.filter(Q(name__icontains=data["q"]) | Q(code__icontains=data["q"]))
        if data["district"]:
            projects = projects.filter(district=data["district"])
        if data["stage"]:
            projects = projects.filter(stage=data["stage"])
        if data["kind"]:
            projects = projects.filter(kind=data["kind"])
        if data["year"]:
            projects = projects.in_progress_in(data["year"])
        if data["is_key"]:
            projects = projects.filter(is_key=True)
        return projects


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["code", "name", "district", "kind", "is_key", "location", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_district_user:
            # A district user registers projects of their own district only.
            self.fields["district"].queryset = District.objects.filter(pk=user.district_id)
            self.fields["district"].initial = user.district_id
            self.fields["district"].empty_label = None
        else:
            self.fields["district"].queryset = District.objects.active()


def _in_a_section() -> Exists:
    """Whether the user (the outer query's row) belongs to one of the office's sections: a
    system administrator who is in none is no project's liaison."""
    return Exists(
        User.groups.through.objects.filter(
            user=OuterRef("pk"), group__name__in=[section.value for section in Section]
        )
    )


def _leads() -> Exists:
    """Whether the user (the outer query's row) is in 领导: the leader field's condition, for its
    queryset and its rendered options alike."""
    return Exists(
        User.groups.through.objects.filter(user=OuterRef("pk"), group__name=Section.LEADER.value)
    )


class ProjectStaffingForm(forms.ModelForm):
    """The office assigns each project a liaison and a responsible leader (项目联系人制度)."""

    class Meta:
        model = Project
        fields = ["liaison", "leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        office = User.objects.filter(
            _in_a_section(), is_active=True, district__isnull=True
        ).order_by("username")
        self.fields["liaison"].queryset = office
        self.fields["leader"].queryset = office.filter(_leads())
        # Rendered, both lists come from one read of the office's users (when the form is
        # shown, not when it is built); validation still asks each field's queryset.
        self._office = None
        for name in ("liaison", "leader"):
            self.fields[name].choices = partial(self._office_choices, name)

    def _office_choices(self, name: str) -> list[tuple]:
        """The options of `name` (liaison: every active office user; leader: those of 领导), in
        the order and with the labels ModelChoiceField gives them."""
        if self._office is None:
            self._office = list(self.fields["liaison"].queryset.annotate(leads=_leads()))
        field = self.fields[name]
        users = self._office if name == "liaison" else [u for u in self._office if u.leads]
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return empty + [(user.pk, field.label_from_instance(user)) for user in users]


class ApprovalForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Approval.Kind.choices)
    number = forms.CharField(label=_("文号"), max_length=100)
    issued_on = forms.DateField(label=_("批准日期"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("扫描件"), required=False)

    def clean_file(self):
        return check_document(self.cleaned_data.get("file"))


class AdvanceStageForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
