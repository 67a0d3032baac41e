from collections.abc import Callable, Iterable

from django import forms
from django.db.models import Q
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from core.fields import NormalizedFormField
from core.normalize import normalize_identifier, normalize_resident_id
from projects.models import Notice, Project


class NoticeSearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *Notice.Kind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("标题、正文或项目名称")

    def filter(self, notices):
        if not self.is_valid():
            return notices
        q, kind = self.cleaned_data["q"], self.cleaned_data["kind"]
        if q:
            notices = notices.filter(
                Q(title__icontains=q) | Q(body__icontains=q) | Q(project__name__icontains=q)
            )
        if kind:
            notices = notices.filter(kind=kind)
        return notices


class ProjectNumberField(forms.Field):
    """A project chosen from a list, cleaned to its id without reading anything: the look-up
    reads the household and its project in one query, and a project that is not public finds
    no household (the same answer as a wrong 户号). The list is read only when the form is
    shown (`choices`, a callable: see LookupForm)."""

    widget = forms.Select
    default_error_messages = {"invalid_choice": _("请从列表中选择征收项目。")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return int(str(value))
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class LookupForm(forms.Form):
    """户号 and the last six characters of the resident ID number; `project` is cleaned to the
    chosen project's id (ProjectNumberField)."""

    project = ProjectNumberField(label=_("征收项目"))
    # What a resident types is normalised before it is checked or compared (core.normalize):
    # "１８４７４ｘ" or "18474 X" is the 18474X printed on the card.
    code = NormalizedFormField(label=_("户号"), max_length=30, normalizer=normalize_identifier)
    id_tail = NormalizedFormField(
        normalizer=normalize_resident_id,
        label=_("身份证号码后六位"),
        min_length=6,
        max_length=6,
        # Django's own length messages speak of "变量" and counts; a resident is told what to type.
        error_messages={
            "required": _("请输入身份证号码的后六位（6个字符）。"),
            "min_length": _("请输入身份证号码的后六位（6个字符），目前只输入了%(show_value)d个。"),
            "max_length": _("请输入身份证号码的后六位（6个字符），目前输入了%(show_value)d个。"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def __init__(self, *args, projects: Callable[[], Iterable[Project]], **kwargs):
        """`projects` returns the projects to list; it is called only when the form is shown,
        not when a look-up is checked (the public site's one POST; issue 16)."""
        super().__init__(*args, **kwargs)
        self.fields["project"].widget.choices = CallableChoiceIterator(
            lambda: [("", "---------"), *((project.pk, str(project)) for project in projects())]
        )
