"""core.widgets.WidgetRenderer writes the plain widgets in Python: its HTML must be byte for
byte what Django's templates give, for awkward values as well as the project's own forms."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.widgets import WidgetRenderer
from tests.factories import DistrictFactory

NASTY = '<b>"O\'Neil" & co</b>'

WIDGETS = [
    (forms.TextInput(), "name", None),
    (forms.TextInput(), "name", ""),
    (forms.TextInput(attrs={"placeholder": NASTY, "maxlength": 30}), "name", NASTY),
    (forms.TextInput(attrs={"required": True, "disabled": False}), "n", mark_safe("<i>ok</i>")),
    (forms.NumberInput(attrs={"step": "0.01", "min": 0}), "area", Decimal("12345.60")),
    (forms.NumberInput(), "count", 1234567),
    (forms.DateInput(attrs={"type": "date"}), "on", datetime.date(2026, 11, 30)),
    (forms.DateInput(), "on", "2026-11-30"),
    (forms.DateTimeInput(), "at", datetime.datetime(2026, 11, 30, 8, 5)),
    (forms.TimeInput(), "at", datetime.time(8, 5)),
    (forms.HiddenInput(), "household", 17),
    (forms.PasswordInput(), "secret", "kept"),
    (forms.PasswordInput(render_value=True), "secret", "kept&shown"),
    (forms.EmailInput(), "email", "a@example.com"),
    (forms.URLInput(), "url", "https://example.com/?a=1&b=2"),
    (forms.CheckboxInput(), "is_key", True),
    (forms.CheckboxInput(), "is_key", False),
    (forms.CheckboxInput(), "is_key", None),
    (forms.Textarea(), "note", None),
    (forms.Textarea(attrs={"rows": 2}), "note", NASTY + "\n第二行"),
    (forms.Textarea(), "note", 0),
    (forms.Select(choices=[("", "---------"), ("a", "甲"), ("b", NASTY)]), "kind", "b"),
    (forms.Select(choices=[(2022, 2022), (12345, 12345)]), "year", 12345),
    (forms.Select(choices=[(1, gettext_lazy("重点")), (2, Decimal("1234.5"))]), "x", None),
    (
        forms.Select(choices=[("组一", [("a", "甲"), ("b", "乙")]), ("c", "丙"), (NASTY, [])]),
        "grouped",
        "b",
    ),
    (forms.SelectMultiple(choices=[("a", "甲"), ("b", "乙"), ("c", "丙")]), "many", ["a", "c"]),
    (forms.NullBooleanSelect(), "signed", None),
    (forms.NullBooleanSelect(), "signed", True),
    (forms.Select(choices=[]), "empty", None),
    (forms.FileInput(), "file", None),
    (forms.ClearableFileInput(), "file", None),
    (forms.ClearableFileInput(attrs={"accept": NASTY, "required": True}), "document", None),
]


@pytest.mark.parametrize("widget, name, value", WIDGETS)
def test_each_plain_widget_renders_as_djangos_template_does(widget, name, value):
    attrs = {"id": f"id_{name}"}
    expected = widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())
    assert widget.render(name, value, attrs=attrs, renderer=WidgetRenderer()) == expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_labels_are_localised_as_the_template_localises_them(language):
    from django.utils import translation

    widget = forms.Select(choices=[(12345, 12345), (1, Decimal("1234.5"))])
    with translation.override(language):
        expected = widget.render("n", 1, renderer=DjangoTemplates())
        assert widget.render("n", 1, renderer=WidgetRenderer()) == expected
    if language == "en":
        assert "12,345" in expected  # the localisation is really exercised


class _OnRecord:
    """A file on record, as a FieldFile shows itself to ClearableFileInput."""

    url = "/media/notices/" + NASTY
    name = NASTY

    def __str__(self):
        return self.name


def test_widgets_python_does_not_write_fall_back_to_templates():
    widget = forms.ClearableFileInput()
    on_record = widget.render("file", _OnRecord(), renderer=WidgetRenderer())
    assert on_record == widget.render("file", _OnRecord(), renderer=DjangoTemplates())
    assert "/media/notices/" in on_record  # the template's branch for a file on record
    radios = forms.RadioSelect(choices=[("a", "甲"), ("b", NASTY)])
    assert radios.render("r", "b", renderer=WidgetRenderer()) == radios.render(
        "r", "b", renderer=DjangoTemplates()
    )


def test_a_select_with_a_custom_option_template_renders_through_its_templates():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    widget = Custom(choices=[("a", "甲")])
    assert widget.render("c", "a", renderer=WidgetRenderer()) == widget.render(
        "c", "a", renderer=DjangoTemplates()
    )


def test_the_site_renders_forms_with_the_widget_renderer():
    assert isinstance(get_default_renderer(), WidgetRenderer)


@pytest.mark.django_db
def test_the_project_filter_form_renders_as_djangos_templates_render_it():
    from core.models import District
    from projects.forms.projects import ProjectFilterForm

    DistrictFactory(code="shuangqing", name="双清区")
    DistrictFactory(code="daxiang", name=NASTY)
    data = {"q": NASTY, "district": "", "is_key": "on", "stage": "nonsense"}
    ours = ProjectFilterForm(data, districts=District.objects.all())
    djangos = ProjectFilterForm(data, districts=District.objects.all())
    djangos.renderer = DjangoTemplates()
    assert not ours.is_valid() and not djangos.is_valid()
    assert [str(field) for field in ours] == [str(field) for field in djangos]
    assert NASTY not in str(ours["q"])  # escaped, not left out
