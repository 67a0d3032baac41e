"""The Word file's paragraphs are written as WordprocessingML text (budget.report.word), not
through python-docx's element API: the text must be what that API writes for the same
paragraph, whatever the text holds (tabs, line breaks in an office's explanation, edge
spaces, markup characters)."""

import cairosvg
import pytest
from django.utils.safestring import mark_safe
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from lxml import etree

from budget.report import word
from budget.report.document import Chart

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


def test_the_chart_drawn_then_encoded_apart_is_cairosvgs_png():
    """budget.report.build draws the chart before the PDF and encodes it beside it: the PNG
    is the one cairosvg.svg2png writes in one go."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60" width="200" height="60"'
        ' font-family="\'Noto Sans CJK SC\', sans-serif" font-size="13">'
        '<rect x="10" y="10" width="120" height="16" fill="#3e7cb1"/>'
        '<text x="12" y="48">六岭棚改 67.2%</text></svg>'
    )
    block = Chart(mark_safe(svg), "图1")  # noqa: S308 (a constant)
    png = word.encode_png(word.draw_chart(block))
    assert png.startswith(b"\x89PNG")
    assert png == word.chart_png(block) == cairosvg.svg2png(bytestring=svg.encode(), scale=2)
