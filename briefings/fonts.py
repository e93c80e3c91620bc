"""The embedded faces every briefing is set in, registered once per process.

GB/T 9704 asks for 仿宋 (body), 小标宋 (title) and 黑体 (level-1 headings).
We ship no commercial faces, so Noto CJK SC stands in: Serif Regular for the
body, Serif Bold for the title and the issuer's mark, Sans Bold for headings.
The files are TrueType subsets built by ``fonts/build_fonts.py`` (see there
for why ReportLab cannot use the system's Noto files directly).

Characters outside the faces (emoji, ideographs beyond GBK and Extension A)
are printed as a white square □ instead: ReportLab would otherwise draw the
empty .notdef glyph, which silently loses the character on paper.
"""

import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

MISSING_GLYPH_SUBSTITUTE = "\u25a1"  # □, present in every face

ZERO_WIDTH_JOINER = "\u200d"


@dataclass(frozen=True)
class FontNames:
    body: str
    title: str
    heading: str


FONT_NAMES = FontNames(
    body="NotoSerifSC",
    title="NotoSerifSC-Bold",
    heading="NotoSansSC-Bold",
)

_FONT_FILES = {
    FONT_NAMES.body: "NotoSerifSC-Regular.ttf",
    FONT_NAMES.title: "NotoSerifSC-Bold.ttf",
    FONT_NAMES.heading: "NotoSansSC-Bold.ttf",
}

_registration_lock = threading.Lock()
_covered_codepoints = {}


def register_fonts():
    """Register the faces with ReportLab (safe to call often) and return their names."""
    if len(_covered_codepoints) == len(_FONT_FILES):
        return FONT_NAMES
    with _registration_lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in _FONT_FILES.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
            _covered_codepoints[name] = pdfmetrics.getFont(name).face.charToGlyph
        # Lets <b> inside body paragraphs switch to the bold serif.
        addMapping(FONT_NAMES.body, 0, 0, FONT_NAMES.body)
        addMapping(FONT_NAMES.body, 1, 0, FONT_NAMES.title)
        addMapping(FONT_NAMES.body, 0, 1, FONT_NAMES.body)
        addMapping(FONT_NAMES.body, 1, 1, FONT_NAMES.title)
    return FONT_NAMES


def is_covered(character, font_name):
    register_fonts()
    return ord(character) in _covered_codepoints[font_name]


def replace_missing_glyphs(text, font_name):
    """Return ``text`` with every character ``font_name`` cannot draw made visible as □.

    Invisible modifiers the face lacks (variation selectors, skin tones,
    joiners) are dropped rather than boxed, and an emoji sequence glued with
    zero-width joiners becomes a single □, so one symbol on screen stays one
    symbol on paper.
    """
    register_fonts()
    covered = _covered_codepoints[font_name]
    result = []
    joined_to_previous = False
    for character in text:
        if ord(character) in covered:
            result.append(character)
            joined_to_previous = False
        elif character == ZERO_WIDTH_JOINER:
            joined_to_previous = bool(result) and result[-1] == MISSING_GLYPH_SUBSTITUTE
        elif _is_invisible(character):
            if character in "\t\n\r":
                result.append(" ")
        elif not joined_to_previous:
            result.append(MISSING_GLYPH_SUBSTITUTE)
        else:
            joined_to_previous = False
    return "".join(result)


def _is_invisible(character):
    # Mn/Me: combining marks and variation selectors; Cf: format controls;
    # Cc: control characters; the range holds the emoji skin-tone modifiers.
    category = unicodedata.category(character)
    return category in ("Mn", "Me", "Cf", "Cc") or 0x1F3FB <= ord(character) <= 0x1F3FF
