"""Line breaking for Chinese text by the rules of GB/T 15834 (标点符号用法).

ReportLab's ``wordWrap='CJK'`` only knows part of the rule that closing
punctuation never starts a line and opening punctuation never ends one: it
lets ，；：？！》〉”’…· start a line and opening marks end one. So every
briefing paragraph is a ``ChineseParagraph``, which replaces ReportLab's
CJK breaker with ``choose_line_ends`` below and keeps the rest of
ReportLab's machinery (markup, fonts, splitting across pages).

Where a line is full, the breaker in order:

1. hangs a single closing mark such as ，or 。 in the right margin, as Word
   and WPS do by default, so the text edge stays flush (left-aligned and
   justified paragraphs only: centred lines would shift);
2. otherwise moves the break back to the nearest allowed point, which keeps
   Latin words and numbers whole and never splits —— or ……;
3. if a single Latin "word" (a URL, say) is longer than the line, breaks it
   after a URL separator, or anywhere that respects the punctuation rule,
   so the text still wraps instead of running off the page.
"""

from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus.paragraph import (
    ParaLines,
    Paragraph,
    _handleBulletWidth,
    cjkU,
    makeCJKParaLine,
)
from reportlab.rl_config import _FUZZ

CLOSING_MARKS = frozenset(
    "，。、；：？！）》〉」』】〕〗〙］｝”’…·％‰℃．・〞"
    ",.;:?!)]}%"
    # Japanese small kana and iteration marks, kept from ReportLab's table so
    # quoted Japanese names still break correctly.
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶー々ゝゞヽヾ゛゜"
)
OPENING_MARKS = frozenset("（《〈「『【〔〖〘［｛“‘〝([{")

# Hanging more than one mark, or a wide one like …, would visibly break the
# right edge, so only these single narrow-looking marks may hang.
HANGING_MARKS = frozenset("，。、；：？！）》〉」』】〕〗］｝”’,.;:?!)]}")

# Punctuation that Chinese text uses inside its own runs: these separate a
# Latin word from its neighbours rather than belonging to it.
CJK_USAGE_PUNCTUATION = frozenset("“”‘’…—·–")

# Two-em marks that must stay on one line (GB/T 15834 4.13, 4.14).
UNSPLITTABLE_PAIRS = frozenset("—…")

URL_BREAK_AFTER = frozenset("/-?&=_#.")
# A number stays with the unit after it where the line allows: "23日", "5起", "30分钟".
NUMBER_UNITS = frozenset("年月日时分秒号次起家条个人岁万亿%％")


def is_space(character):
    return character != "" and character in " \t\u3000\u00a0"


def is_latin_word_character(character):
    return (
        character != ""
        and not is_space(character)
        and ord(character) < 0x2E80
        and character not in CJK_USAGE_PUNCTUATION
    )


def respects_punctuation_rules(text, position):
    """True when a line may end just before ``text[position]``."""
    before, after = text[position - 1], text[position]
    if after in CLOSING_MARKS or before in OPENING_MARKS:
        return False
    return not (before == after and before in UNSPLITTABLE_PAIRS)


def is_preferred_break(text, position):
    """True when a break before ``text[position]`` also keeps Latin words whole."""
    if not respects_punctuation_rules(text, position):
        return False
    before, after = text[position - 1], text[position]
    if before.isdigit() and after in NUMBER_UNITS:
        return False
    return not (is_latin_word_character(before) and is_latin_word_character(after))


def may_hang(text, position):
    """True when ``text[position]`` may hang in the margin at the end of a line."""
    if text[position] not in HANGING_MARKS:
        return False
    return position + 1 == len(text) or respects_punctuation_rules(text, position + 1)


def choose_break(text, line_start, overflow, hanging_allowed):
    """Index where the line starting at ``line_start`` ends, given that
    ``text[overflow]`` is the first character that no longer fits."""
    if overflow == line_start:
        return overflow + 1
    if is_space(text[overflow]):
        return overflow
    if hanging_allowed and may_hang(text, overflow):
        return overflow + 1
    for position in range(overflow, line_start, -1):
        if is_preferred_break(text, position):
            return position
    # No clean point on this line: a URL or other run without spaces.
    earliest_pleasant = (line_start + overflow) // 2
    for position in range(overflow, earliest_pleasant, -1):
        if text[position - 1] in URL_BREAK_AFTER and respects_punctuation_rules(text, position):
            return position
    for position in range(overflow, line_start, -1):
        if respects_punctuation_rules(text, position):
            return position
    return overflow


def choose_line_ends(text, widths, max_widths, hanging_allowed=True, forced_ends=frozenset()):
    """Split ``text`` (one entry per character, with its width) into lines.

    Returns the end index of each line. ``forced_ends`` holds indexes after
    which a line must end (explicit ``<br/>``). Spaces at a break are left at
    the end of the previous line, where they are invisible.
    """
    ends = []
    start = 0
    length = len(text)
    while start < length:
        max_width = max_widths[min(len(ends), len(max_widths) - 1)]
        used = 0.0
        end = length
        for index in range(start, length):
            used += widths[index]
            if used > max_width + _FUZZ:
                end = choose_break(text, start, index, hanging_allowed)
                break
            if index in forced_ends:
                end = index + 1
                break
        while end < length and is_space(text[end]) and end - 1 not in forced_ends:
            end += 1
        ends.append(end)
        start = end
    return ends


class ChineseParagraph(Paragraph):
    """A ReportLab Paragraph that breaks lines by Chinese punctuation rules.

    Accepts the same arguments as ``Paragraph``; the style's ``wordWrap`` is
    forced to ``'CJK'`` so ReportLab routes wrapping to ``breakLinesCJK``.
    """

    def __init__(self, text, style, *args, **kwargs):
        if style.wordWrap != "CJK":
            style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
        super().__init__(text, style, *args, **kwargs)

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        style = self.style
        self.height = 0
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        if not self.frags:
            return ParaLines(
                kind=0, fontSize=style.fontSize, fontName=style.fontName,
                textColor=style.textColor, lines=[],
                ascent=style.fontSize, descent=-0.2 * style.fontSize,
            )
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return break_frags(
            self.frags,
            maxWidths,
            calc_bounds=auto_leading not in ("", "off"),
            hanging_allowed=style.alignment in (TA_LEFT, TA_JUSTIFY),
        )


def break_frags(frags, max_widths, calc_bounds, hanging_allowed):
    """Turn ReportLab text fragments into the kind-1 line list it draws from."""
    characters = []
    forced_ends = set()
    for frag in frags:
        text = frag.text
        if isinstance(text, bytes):
            text = text.decode("utf8")
        # Inline images and <br/> arrive as fragments with no text.
        pieces = text or [""]
        characters.extend(cjkU(piece, frag, "utf8") for piece in pieces)
        if hasattr(frag, "lineBreak"):
            forced_ends.add(len(characters) - 1)
    widths = [_resolved_width(character, max_widths[0]) for character in characters]
    ends = choose_line_ends(characters, widths, max_widths, hanging_allowed, forced_ends)

    lines = []
    start = 0
    for line_number, end in enumerate(ends):
        max_width = max_widths[min(line_number, len(max_widths) - 1)]
        visible_end = end
        while visible_end > start and is_space(characters[visible_end - 1]):
            visible_end -= 1
        used = sum(widths[start:visible_end])
        lines.append(makeCJKParaLine(
            characters[start:end], max_width, used, max_width - used,
            end - 1 in forced_ends, calc_bounds,
        ))
        start = end
    return ParaLines(kind=1, lines=lines)


def _resolved_width(character, max_width):
    width = character.width
    # Inline images may be sized in percent of the line.
    if hasattr(width, "normalizedValue"):
        width._normalizer = max_width
        width = width.normalizedValue(max_width)
    return width
