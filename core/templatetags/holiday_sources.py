"""`{{ text|holiday_source }}`: a deadline's explanation, a notice's period explanation or a
calendar source as office users read it. The holiday library's name and version, which the
engine stores ("chinesecalendar 1.11.0"), is shown as the Chinese provenance label
(core.deadlines.LIBRARY_LABEL) with the library and its version in the tooltip; the rest of
the text is escaped as usual."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.deadlines import LIBRARY_LABEL, LIBRARY_NAME

register = template.Library()


@register.filter(needs_autoescape=True)
def holiday_source(text, autoescape=True) -> SafeString:
    """`text` with each library name as <span class="holiday-source" title="…">label</span>."""
    text = "" if text is None else str(text)
    escape = conditional_escape if autoescape else str
    parts, last = [], 0
    for match in LIBRARY_NAME.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(
            format_html(
                '<span class="holiday-source" title="{}">{}</span>',
                _("据 %(library)s 数据（收录国务院办公厅历年部分节假日安排的通知）")
                % {"library": match.group()},
                LIBRARY_LABEL,
            )
        )
        last = match.end()
    parts.append(escape(text[last:]))
    return SafeString("".join(str(part) for part in parts))
