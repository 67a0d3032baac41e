"""report.docx: the same report structure as an editable Word file (python-docx).

Offices make their last edits in WPS or Word, so the file uses the fonts those have on a
Chinese desktop (宋体 for the text, 黑体 for the chapter headings) and plain Word tables
with borders. The chart is the PDF's own SVG drawn to a PNG; the table after it has its data.
"""

import re
import tempfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from cairosvg.parser import Tree
from cairosvg.surface import PNGSurface
from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from budget.report.document import Chart, Document, Heading, Paragraph, Table

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def _fonts(run_or_style, east_asian: str, size: float | None = None, bold: bool | None = None):
    font = run_or_style.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asian)


def _page_number(paragraph) -> None:
    """A PAGE field between dashes: — 3 —."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" —")


_BREAKS = re.compile(r"([\t\r\n])")
_BOLD, _NOT_BOLD = "<w:b/>", '<w:b w:val="0"/>'  # font.bold = True, False
# Each paragraph and table added to the body declares the namespace itself: lxml moves an
# element whose names point at a declaration outside it (on the wrapper it was parsed in)
# node by node, a hundred times slower; the document keeps one declaration either way.
_W = nsdecls("w")
EMPTY_PARAGRAPH = f"<w:p {_W}/>"


def _text_xml(text: str) -> str:
    """A run's content as python-docx's `add_run(text)` writes it: each tab a <w:tab/>, each
    line break (\n or \r) a <w:br/>, the text between in <w:t> elements, space-preserving
    where they start or end with white space."""
    parts = []
    for piece in _BREAKS.split(text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\n", "\r"):
            parts.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(parts)


def _paragraph_xml(
    text: str,
    *,
    indent: bool = True,
    bold: bool = False,
    font: str = BODY_FONT,
    size: float = 12,
    align: str = "",
) -> str:
    """One paragraph of a single run, as python-docx writes it from add_paragraph(),
    paragraph_format.first_line_indent (two characters: 2 × size), alignment, add_run(text)
    and `_fonts`, without walking the document for each element it adds."""
    properties = ""
    if indent:
        properties += f'<w:ind w:firstLine="{Pt(size * 2).twips}"/>'
    if align:
        properties += f'<w:jc w:val="{align}"/>'
    return (
        f"<w:p {_W}>"
        + (f"<w:pPr>{properties}</w:pPr>" if properties else "")
        + f'<w:r><w:rPr><w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" '
        f'w:eastAsia="{font}"/>{_BOLD if bold else _NOT_BOLD}'
        f'<w:sz w:val="{round(size * 2)}"/></w:rPr>{_text_xml(text)}</w:r></w:p>'
    )


class _Body:
    """The paragraphs and tables of the document written as WordprocessingML text and added
    to the body in one parse each time python-docx has to add something itself (the section
    break, the chart): its element API walks the body for each element it adds, which for a
    report of hundreds of blocks cost more than writing the file."""

    def __init__(self, word):
        self.word = word
        self.parts: list[str] = []

    def add(self, xml: str) -> None:
        self.parts.append(xml)

    def paragraph(self, text: str, **style) -> None:
        self.parts.append(_paragraph_xml(text, **style))

    def flush(self) -> None:
        if not self.parts:
            return
        fragment = parse_xml(f"<w:body {_W}>{''.join(self.parts)}</w:body>")
        end = self.word.element.body.get_or_add_sectPr()
        for element in list(fragment):
            end.addprevious(element)
        self.parts = []


def _run_xml(text: str, east_asian: str, size: float, bold: bool = False) -> str:
    return (
        f'<w:r><w:rPr><w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" '
        f'w:eastAsia="{east_asian}"/>{"<w:b/>" if bold else ""}'
        f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/></w:rPr>'
        f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    )


def _cell_xml(text: str, *, align: str, font: str, size: float, bold: bool = False) -> str:
    return (
        '<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/><w:vAlign w:val="center"/></w:tcPr>'
        f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>'
        f"{_run_xml(text, font, size, bold)}</w:p></w:tc>"
    )


def _table(body: _Body, block: Table) -> None:
    """The table as one piece of WordprocessingML: python-docx's cell-by-cell API reads the
    whole table again for every cell, which made a year of many projects take seconds."""
    if block.caption:
        body.paragraph(block.caption, indent=False, bold=True, size=10.5, align="center")
    header = "".join(
        _cell_xml(text, align="center", font=HEADING_FONT, size=10.5) for text in block.columns
    )
    rows = ["<w:tr><w:trPr><w:tblHeader/></w:trPr>" + header + "</w:tr>"]
    size = 9 if block.compact else 10.5
    for index, values in enumerate(block.rows):
        is_total = block.total_last and index == len(block.rows) - 1
        cells = "".join(
            _cell_xml(
                text,
                align="right" if column >= block.numeric_from else "left",
                font=BODY_FONT,
                size=size,
                bold=is_total,
            )
            for column, text in enumerate(values)
        )
        rows.append(f"<w:tr>{cells}</w:tr>")
    grid = "<w:gridCol/>" * len(block.columns)
    body.add(
        f'<w:tbl {_W}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        '<w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    body.add(EMPTY_PARAGRAPH)


def chart_png(block: Chart) -> bytes:
    """The PDF's chart, the same SVG drawn to a PNG by cairosvg at twice its size (for print):
    `encode_png(draw_chart(block))`, what `cairosvg.svg2png(…, scale=2)` does."""
    return encode_png(draw_chart(block))


def draw_chart(block: Chart) -> PNGSurface:
    """The chart drawn onto an image surface (cairo; the only step that reads fonts)."""
    tree = Tree(bytestring=str(block.svg).encode("utf-8"))
    return PNGSurface(tree, None, 96, scale=2)  # no output: `encode_png` writes it


def encode_png(surface: PNGSurface) -> bytes:
    """The drawn surface as a PNG: cairo's encoder (libpng and zlib), most of a chart's time.
    Cairo writes the file itself, so the call holds no GIL and runs no Python until it is
    done (to a Python stream it would call back into Python for every piece); it reads no
    font."""
    with tempfile.TemporaryDirectory(prefix="report-chart-") as folder:
        path = Path(folder) / "chart.png"
        surface.cairo.write_to_png(str(path))
        surface.cairo.finish()
        return path.read_bytes()


def _chart(body: _Body, block: Chart, png: bytes) -> None:
    """The chart's PNG, 16 cm wide, and its caption."""
    body.flush()  # the picture goes after what is written so far
    picture = body.word.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.add_run().add_picture(BytesIO(png), width=Cm(16))
    body.paragraph(block.caption, indent=False, size=10.5, align="center")


def render(document: Document, *, draw: Callable[[Chart], bytes] = chart_png) -> bytes:
    """The Word file of `document`; `draw` gives a chart's PNG (`chart_png`, or the PNG
    already being drawn elsewhere: budget.report.build draws it beside the PDF)."""
    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.4)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.4)
    _fonts(word.styles["Normal"], BODY_FONT, 12)

    # The cover (as the seed's: 附件1 at the top left, the title, the unit's name and the date
    # under it where the seal goes), then the text in a section whose footer numbers the pages.
    text = _Body(word)
    if document.cover_label:
        text.paragraph(document.cover_label, indent=False, font=HEADING_FONT, size=16)
    text.add(EMPTY_PARAGRAPH * 5)
    for line in document.title_lines:
        text.paragraph(line, indent=False, bold=True, font=HEADING_FONT, size=22, align="center")
    text.add(EMPTY_PARAGRAPH * 10)
    for line in (_("单位名称：%(office)s") % {"office": document.office_name}, document.date_text):
        text.paragraph(line, indent=False, size=16, align="center")
    text.flush()

    body = word.add_section(WD_SECTION.NEW_PAGE)
    body.footer.is_linked_to_previous = False  # the cover keeps an empty footer
    _page_number(body.footer.paragraphs[0])
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")  # the text starts at page 1, after the cover
    # Word validates the order of a section's properties: pgNumType comes before these.
    body._sectPr.insert_element_before(
        numbering,
        *(
            f"w:{tag}"
            for tag in (
                "cols",
                "formProt",
                "vAlign",
                "noEndnote",
                "titlePg",
                "textDirection",
                "bidi",
                "rtlGutter",
                "docGrid",
                "printerSettings",
                "sectPrChange",
            )
        ),
    )

    for line in document.title_lines:
        text.paragraph(line, indent=False, bold=True, font=HEADING_FONT, size=18, align="center")
    for block in document.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                text.paragraph(block.text, font=HEADING_FONT, size=14)
            else:
                text.paragraph(block.text, bold=True)
        elif isinstance(block, Paragraph):
            text.paragraph(block.text, bold=block.emphasis)
        elif isinstance(block, Table):
            _table(text, block)
        elif isinstance(block, Chart):
            _chart(text, block, draw(block))
    text.flush()
    signature = word.add_paragraph()
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.paragraph_format.space_before = Pt(24)
    run = signature.add_run(document.office_name)
    _fonts(run, BODY_FONT, 12)
    run.add_break(WD_BREAK.LINE)
    run = signature.add_run(document.date_text)
    _fonts(run, BODY_FONT, 12)

    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()
