"""report.pdf: the report structure through an HTML template and WeasyPrint.

The page layout (A4, margins, page numbers, fonts) lives in templates/budget/report/report.css;
the body font is Noto Serif CJK SC from Debian's fonts-noto-cjk, subset and embedded.
"""

from django.template import loader
from weasyprint import CSS, HTML

from budget.report.document import Document


def render(document: Document) -> bytes:
    html = loader.render_to_string("budget/report/report.html", {"document": document})
    css_path = loader.get_template("budget/report/report.css").origin.name
    with open(css_path, encoding="utf-8") as handle:
        css = handle.read()
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=css)])
