"""The reply letter (信访处理意见书), generated from the case: an A4 page for the browser to
print, and the same page as a PDF (WeasyPrint, with the Noto Serif CJK font)."""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.fonts import ensure_printable
from core.formatting import cn_date
from core.models import Office
from petitions import deadlines
from petitions.models import Channel, Petition


@dataclass(frozen=True)
class ReplyLetter:
    office: str
    number: str
    addressee: str
    opening: str
    findings: list[str]
    opinion: list[str]
    remedy: str
    signed_on: str


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def reply_letter(petition: Petition) -> ReplyLetter:
    names = [p.name for p in petition.petitioners.all()]
    you = _("你") if len(names) == 1 else _("你们")
    values = {
        "you": you,
        "received": cn_date(petition.received_on),
        "channel": petition.get_channel_display(),
        "body": petition.referred_by,
        "request": _summary(petition.request),
        "accepted": cn_date(petition.accepted_on),
    }
    if petition.channel == Channel.REFERRED:
        opening = _(
            "%(you)s反映的%(request)s问题，由%(body)s于%(received)s交办本机关，本机关已于"
            "%(accepted)s依法受理。经调查核实，现将处理意见告知如下："
        )
    else:
        opening = _(
            "%(you)s于%(received)s以%(channel)s形式反映的%(request)s问题，本机关已于"
            "%(accepted)s依法受理。经调查核实，现将处理意见告知如下："
        )
    opening %= values
    remedy = _(
        "如对本处理意见不服，可以自收到本意见书之日起%(days)d日内，向%(body)s书面请求复查。"
    ) % {"days": deadlines.period("PETITION_REVIEW_REQUEST_DAYS"), "body": petition.review_body}
    return ReplyLetter(
        office=Office.current_name(),
        number=petition.reply_number,
        addressee="、".join(names),
        opening=opening,
        findings=_paragraphs(petition.reply_findings),
        opinion=_paragraphs(petition.reply_opinion),
        remedy=remedy,
        signed_on=cn_date(petition.replied_on),
    )


def _summary(request: str) -> str:
    """The request as one clause: the first sentence, without its final punctuation."""
    first = request.strip().splitlines()[0] if request.strip() else ""
    for stop in "。；！？":
        first = first.split(stop)[0]
    # "你反映的“反映……”问题" would say it twice.
    first = first.removeprefix("反映")
    return f"“{first.strip()}”" if first.strip() else ""


def pdf_filename(petition: Petition) -> str:
    return quote(_("信访处理意见书-%(reference)s.pdf") % {"reference": petition.reference})


def reply_letter_pdf(petition: Petition, *, request=None) -> bytes:
    html = render_to_string(
        "petitions/petition_letter_pdf.html",
        {"petition": petition, "letter": reply_letter(petition)},
        request=request,
    )
    # A character no font has would print as a box: never issue such a letter silently.
    ensure_printable(html, document=_("信访处理意见书-%(ref)s") % {"ref": petition.reference})
    with _quiet("weasyprint"):
        # Imported here: WeasyPrint loads its fonts and libraries on import, which only this
        # view needs.
        from weasyprint import CSS, HTML

        stylesheet = CSS(filename=finders.find("css/app.css"))
        return HTML(string=html).write_pdf(stylesheets=[stylesheet])


@contextmanager
def _quiet(name: str):
    """The shared stylesheet has screen rules WeasyPrint does not know (media queries, SVG
    fills); its warnings about them, and its progress lines, say nothing about the letter."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
