"""Labels of choices, looked up in one dictionary per language instead of per row.

`instance.get_FOO_display()` builds a dictionary of the field's choices on every call (about
0.1 ms with lazy translations), which a table pays once per row and column; a list of 100
rows calling it for three columns spends 30 ms on labels. `label` reads a dictionary built
once per choices class and language.
"""

from functools import cache
from html import escape

from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import get_language


def label(choices: type[models.Choices], value):
    """The label of `value` among `choices` in the active language (a str), or `value` itself
    when it is not one of them, as get_FOO_display() does."""
    return _labels(choices, get_language()).get(value, value)


@cache
def _labels(choices: type[models.Choices], language: str | None) -> dict:
    # Called with the language active, so str() translates into it.
    return {member.value: str(member.label) for member in choices}


def labels(choices: type[models.Choices]) -> dict:
    """Every label of `choices` in the active language, by value: a table reads it once and
    looks each row's value up (`labels.get(value, value)`, as `label` does)."""
    return _labels(choices, get_language())


def html_labels(choices: type[models.Choices]) -> dict:
    """`labels`, each escaped with html.escape and marked safe (SafeString), for table rows
    written in Python (core.markup.html_format)."""
    return _html_labels(choices, get_language())


@cache
def _html_labels(choices: type[models.Choices], language: str | None) -> dict:
    return {value: SafeString(escape(text)) for value, text in _labels(choices, language).items()}
