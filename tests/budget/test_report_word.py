"""The Word file's paragraphs are written as WordprocessingML text (budget.report.word), not
through python-docx's element API: the text must be what that API writes for the same
paragraph, whatever the text holds (tabs, line breaks in an office's explanation, edge
spaces, markup characters)."""

import pytest
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from lxml import etree

from budget.report import word

TEXTS = [
    "一、部门（单位）基本情况",
    "差异原因：\n决算报表口径不同。\r\n已说明。",  # an explanation typed on several lines
    "金额\t213.4万元",
    " 前后有空格 ",
    "\u3000全角空格开头",
    "A & B < C > D \"引号\" 'x'",
    "\n",
    "",
]
STYLES = [
    {},
    {"bold": True},
    {"font": word.HEADING_FONT, "size": 14},
    {"indent": False, "bold": True, "size": 10.5, "align": "center"},
    {"indent": False, "font": word.HEADING_FONT, "size": 16},
    {"indent": False, "size": 16, "align": "center"},
]


def _through_python_docx(text, *, indent=True, bold=False, font=word.BODY_FONT, size=12, align=""):
    document = WordDocument()
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if align:
        paragraph.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER}[align]
    run = paragraph.add_run(text)
    word._fonts(run, font, size, bold)
    return paragraph._p


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("text", TEXTS)
def test_a_paragraph_is_written_as_python_docx_writes_it(text, style):
    body = word._Body(WordDocument())
    body.paragraph(text, **style)
    body.flush()
    written = body.word.element.body[-2]  # before the section's properties
    assert etree.tostring(written) == etree.tostring(_through_python_docx(text, **style))
