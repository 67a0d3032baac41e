"""The fonts documents are printed with, and the characters none of them can show.

PDFs (WeasyPrint) use Noto Serif CJK SC (Debian's fonts-noto-cjk), then HanaMinA and HanaMinB
(Debian's fonts-hanazono) for the characters Noto lacks: the CJK extension planes B–F
(𪚥 U+2A6A5, 𠀀 …), where rare characters of people's names and place names live. A character
no font has prints as an empty box, so documents with personal data are checked before they
are issued (`missing_characters`), and a document with such a character is not issued silently.
"""

from __future__ import annotations

import html
import logging
import subprocess
import unicodedata
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PDF_FONTS = ("Noto Serif CJK SC", "HanaMinA", "HanaMinB")
# For CSS `font-family`: the fallbacks in order, then the generic family.
PDF_FONT_FAMILY = ", ".join(f'"{family}"' for family in PDF_FONTS) + ", serif"


@cache
def _font_files(family: str) -> tuple[tuple[str, int], ...]:
    """(file, index in a collection) of every installed face of `family` (fontconfig)."""
    try:
        listing = subprocess.run(  # noqa: S603  (fixed program, the family is ours)
            ["fc-list", "-f", "%{file}|%{index}\\n", f":family={family}"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        logger.error("fc-list failed for font %r: %s", family, error)
        return ()
    files = []
    for line in listing.splitlines():
        path, _sep, index = line.rpartition("|")
        if path:
            files.append((path, int(index or 0)))
    if not files:
        logger.error("font %r is not installed", family)
    return tuple(sorted(set(files)))


@cache
def coverage(family: str) -> frozenset[int]:
    """The code points the installed faces of `family` have glyphs for."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for path, index in _font_files(family):
        with TTFont(path, fontNumber=index, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def _needs_glyph(char: str) -> bool:
    return unicodedata.category(char) not in ("Zs", "Zl", "Zp", "Cc", "Cf")


def missing_characters(text: str, families: tuple[str, ...] = PDF_FONTS) -> list[str]:
    """The characters of `text` (each once, in order of appearance) that no font of
    `families` has a glyph for."""
    fonts = [coverage(family) for family in families]
    missing = []
    for char in dict.fromkeys(text):
        if _needs_glyph(char) and not any(ord(char) in font for font in fonts):
            missing.append(char)
    return missing


def describe_character(char: str) -> str:
    """“𪚥”（U+2A6A5）"""
    return f"“{char}”（U+{ord(char):04X}）"


class MissingGlyphs(ValidationError):
    """A document's text has characters no PDF font can show (they would print as boxes)."""

    def __init__(self, *, document: str, characters: list[str]):
        self.document = document
        self.characters = characters
        super().__init__(
            _(
                "《%(document)s》中的%(chars)s在系统的字库中没有字形，打印出来会是空框，"
                "因此没有生成PDF。请核对这个字（身份证、户口簿上的写法），或请管理员安装含有该字的字库；"
                "也可以下载Word版，在本机用含有该字的字体打印。"
            )
            % {
                "document": document,
                "chars": "、".join(describe_character(char) for char in characters),
            },
            code="missing_glyphs",
        )


def ensure_printable(html_text: str, *, document: str) -> None:
    """Raise MissingGlyphs when the text of an HTML page about to become a PDF (`document`
    names it for the staff member) has a character no PDF font has."""
    text = html.unescape(strip_tags(html_text.split("<body", 1)[-1]))
    missing = missing_characters(text)
    if missing:
        logger.warning(
            "PDF %r not issued: no glyph for %s",
            document,
            ", ".join(f"U+{ord(char):04X}" for char in missing),
        )
        raise MissingGlyphs(document=document, characters=missing)
