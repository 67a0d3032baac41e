"""core.markup.html_format: the rows long tables write in Python escape every value unless it
was marked safe, as Django's format_html does."""

from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core.labels import html_labels
from core.markup import html_format
from projects.models import Household

ROW = '<tr><td title="{title}">{text}</td><td>{cell}</td><td>{n}</td></tr>'


def test_values_are_escaped_like_format_html_and_safe_ones_are_kept():
    values = {
        "title": '"><script>alert(1)</script>',
        "text": "A & B <b>'quoted'</b>",
        "cell": mark_safe('<span class="warn">未签约</span>'),
        "n": 12,
    }
    written = html_format(ROW, **values)
    assert isinstance(written, SafeString)
    assert written == format_html(ROW, **values)
    assert "<script>" not in written and "&lt;script&gt;" in written
    assert '<span class="warn">未签约</span>' in written


def test_none_is_empty_and_positional_fields_work():
    assert html_format("<td>{}</td><td>{}</td>", None, "<") == "<td></td><td>&lt;</td>"


class _Awkward(models.TextChoices):
    BOTH = "both", "甲 & 乙 <合>"


def test_labels_for_rows_are_marked_safe_and_escaped_once(settings):
    labels = html_labels(Household.Method)
    assert all(isinstance(text, SafeString) for text in labels.values())
    assert html_format("{}", labels["swap"]) == "产权调换"
    # A label with HTML's characters is escaped by html_labels and not again by html_format.
    assert html_format("<td>{}</td>", html_labels(_Awkward)["both"]) == (
        "<td>甲 &amp; 乙 &lt;合&gt;</td>"
    )
