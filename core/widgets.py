"""Form widgets rendered without a template per widget (settings.FORM_RENDERER).

Django renders every `{{ field }}` through its widget's template, and a <select> through one
more template per option and one per option's attributes: a filter form of five fields costs
dozens of template renders, which issue 16's bench measured as a large part of every list
page. `WidgetRenderer` writes the plain widgets (the <input> family, <select> with its options,
<textarea>, a file input with no file on record) in Python, byte for byte what Django's own
templates give (the same escaping and the same localisation of labels, through
`render_value_in_context`), and hands every other template (a file input showing its current
file, radio and checkbox lists, multi-widgets, the form and field layouts) to Django's templates
unchanged.

A project or an installed app may override one of Django's widget templates by putting its
own at the same name: the renderer checks, once per process, that each template it writes
itself is still Django's own file, and renders any overridden one through its template.
`tests/core/test_widgets.py` compares the output with Django's renderer widget by widget.
"""

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe

_WIDGETS = "django/forms/widgets/"
# Django's templates that are only `{% include "django/forms/widgets/input.html" %}`.
_INPUTS = (
    "input",
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "search",
    "tel",
    "color",
    "checkbox",
    "file",
)
_DJANGO_TEMPLATES = Path(django.forms.__file__).resolve().parent / "templates"


class _Autoescape:
    """What `render_value_in_context` reads of a template context: autoescaping on, the
    project's localisation and time zone settings (as in a widget template's context)."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _Autoescape()


def _text(value) -> str:
    # `{{ value }}` in an autoescaping template.
    return render_value_in_context(value, _CONTEXT)


def _stringformat(value) -> str:
    # `{{ value|stringformat:'s' }}` in an autoescaping template: safe text stays as it is.
    if isinstance(value, SafeData):
        return value
    return escape(value)  # str(value), as "%s" does


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(" " + _text(name))
        if value is not True:
            parts.append('="' + _stringformat(value) + '"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    html = f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
    if value != None:  # noqa: E711 -- the template's `!= None`, which an object may define
        html += f' value="{_stringformat(value)}"'
    return html + _attrs(widget["attrs"]) + ">"


def _option(option: dict) -> str:
    # django/forms/widgets/select_option.html, with the newline its file ends with.
    label = _text(option["label"])
    return (
        f'<option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
        f"{label}</option>\n"
    )


def _select(widget: dict) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _clearable_file_input(widget: dict) -> str:
    # django/forms/widgets/clearable_file_input.html without a file on record (`render` sends
    # a widget showing one to the template): its <input> alone, the newline before it stripped.
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"' + (
        _attrs(widget["attrs"]) + ">"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    text = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


class WidgetRenderer(DjangoTemplates):
    """Django's default form renderer, writing the plain widgets in Python (module docstring)."""

    @cached_property
    def _writers(self) -> dict:
        writers = {_WIDGETS + f"{name}.html": _input for name in _INPUTS}
        writers[_WIDGETS + "select.html"] = _select
        writers[_WIDGETS + "textarea.html"] = _textarea
        writers[_WIDGETS + "clearable_file_input.html"] = _clearable_file_input
        own = {_WIDGETS + name for name in ("input.html", "attrs.html", "select_option.html")}
        # Written here only while every template involved is still Django's own file.
        for name in [*writers, *own]:
            origin = Path(self.get_template(name).origin.name).resolve()
            if not origin.is_relative_to(_DJANGO_TEMPLATES):
                return {}
        return writers

    def render(self, template_name, context, request=None):
        writer = self._writers.get(template_name)
        widget = context.get("widget") if writer is not None else None
        if (
            widget is None
            or (writer is _select and not _plain_options(widget))
            or (writer is _clearable_file_input and widget.get("is_initial"))
        ):
            return super().render(template_name, context, request=request)
        # Every value in it went through _text or _stringformat (escaped unless already safe).
        return mark_safe(writer(widget).strip())  # noqa: S308


def _plain_options(widget: dict) -> bool:
    return all(
        option["template_name"] == _WIDGETS + "select_option.html"
        for _name, choices, _index in widget["optgroups"]
        for option in choices
    )
