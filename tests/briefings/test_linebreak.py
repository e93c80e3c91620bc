"""Chinese line breaking, checked at the exact point where a line fills up."""

from xml.sax.saxutils import escape

import pytest
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.rl_config import _FUZZ

from briefings.fonts import register_fonts
from briefings.linebreak import ChineseParagraph

# The marks named in GB/T 15834 and the issue, Chinese and ASCII forms.
CANNOT_START = list("，。、；：？！）》〉」』】”’…·%％") + list(",.;:?!)]}")
CANNOT_END = list("（《〈「『【“‘") + list("([{")

FONT_SIZE = 10
LINE_CHARACTERS = 10
LINE_WIDTH = FONT_SIZE * LINE_CHARACTERS  # exactly ten ideographs


def wrapped_lines(text, width=LINE_WIDTH, alignment=TA_JUSTIFY, markup=False):
    style = ParagraphStyle("test", fontName=register_fonts().body, fontSize=FONT_SIZE,
                           leading=FONT_SIZE * 1.5, alignment=alignment)
    paragraph = ChineseParagraph(text if markup else escape(text), style)
    paragraph.wrap(width, 10_000)
    return ["".join(getattr(word, "text", "") for word in line.words) for line in paragraph.blPara.lines]


def line_width(line):
    return stringWidth(line.rstrip(), register_fonts().body, FONT_SIZE)


def assert_rules_hold(lines):
    for previous, line in zip(lines, lines[1:]):
        assert line[:1] not in CANNOT_START, f"{line!r} starts with a closing mark (after {previous!r})"
    for line in lines[:-1]:
        assert line.rstrip()[-1:] not in CANNOT_END, f"{line!r} ends with an opening mark"


def test_ten_ideographs_fill_the_test_line_exactly():
    assert line_width("中" * LINE_CHARACTERS) == pytest.approx(LINE_WIDTH)
    assert wrapped_lines("中" * LINE_CHARACTERS + "文") == ["中" * LINE_CHARACTERS, "文"]


@pytest.mark.parametrize("mark", CANNOT_START)
@pytest.mark.parametrize("alignment", [TA_JUSTIFY, TA_CENTER], ids=["justified", "centred"])
def test_closing_mark_never_starts_a_line(mark, alignment):
    # The first ten characters fill the line, so a naive break puts the mark first on line two.
    text = "中" * LINE_CHARACTERS + mark + "文" * 25
    lines = wrapped_lines(text, alignment=alignment)
    assert "".join(lines) == text
    assert_rules_hold(lines)


@pytest.mark.parametrize("mark", CANNOT_START)
def test_closing_mark_after_a_closing_quote_at_the_break(mark):
    # Two closing marks straddle the break: neither may start line two.
    text = "中" * (LINE_CHARACTERS - 1) + "”" + mark + "文" * 25
    lines = wrapped_lines(text)
    assert "".join(lines) == text
    assert_rules_hold(lines)


@pytest.mark.parametrize("mark", CANNOT_END)
def test_opening_mark_never_ends_a_line(mark):
    # The mark is the last character that fits on line one.
    text = "中" * (LINE_CHARACTERS - 1) + mark + "文" * 25
    lines = wrapped_lines(text)
    assert "".join(lines) == text
    assert lines[0] == "中" * (LINE_CHARACTERS - 1)
    assert_rules_hold(lines)


def test_single_comma_hangs_in_the_margin_to_keep_the_edge_flush():
    lines = wrapped_lines("中" * LINE_CHARACTERS + "，" + "文" * 5)
    assert lines == ["中" * LINE_CHARACTERS + "，", "文" * 5]


def test_ellipsis_and_dash_pairs_stay_on_one_line():
    for pair in ("……", "——"):
        lines = wrapped_lines("中" * (LINE_CHARACTERS - 1) + pair + "文" * 12)
        assert all(pair in line or pair[0] not in line for line in lines)


def test_every_line_respects_the_rules_in_a_real_paragraph():
    text = ("据统计，截至10月27日18时，相关话题阅读量达1.2亿次（较前日增长35%），"
            "网民评论集中于“积水何时排完”“责任如何追究”等问题；另有《江城日报》、"
            "「江城发布」等账号转载……总体看，舆情热度已于当日回落。") * 3
    for characters in range(8, 30):
        lines = wrapped_lines(text, width=FONT_SIZE * characters)
        assert "".join(lines) == text
        assert_rules_hold(lines)


def test_latin_words_move_whole_to_the_next_line():
    text = "We monitor Weibo, WeChat and Douyin around the clock for OpinionOps customers"
    words = set(text.split())
    lines = wrapped_lines(text, width=120)
    assert len(lines) > 2
    for line in lines:
        assert set(line.split()) <= words, f"{line!r} splits a word"


def test_latin_word_inside_chinese_stays_whole():
    lines = wrapped_lines("请登录OpinionOps平台查看" * 4, width=LINE_WIDTH)
    assert all("OpinionOps" in line or not {"Opinion", "Ops"} & set(line.split()) for line in lines)
    assert not any(line.endswith(("Opinion", "Opi", "O")) for line in lines)


def test_url_longer_than_a_line_still_wraps_inside_the_width():
    url = "https://example.com/" + "/".join(["segment"] * 30) + "?query=value&other=value"
    lines = wrapped_lines(f"链接：{url}。", width=LINE_WIDTH)
    assert "".join(lines) == f"链接：{url}。"
    assert len(lines) > 5
    assert all(line_width(line) <= LINE_WIDTH + _FUZZ for line in lines[:-1])


def test_unbreakable_run_without_separators_is_cut_rather_than_overflowing():
    lines = wrapped_lines("x" * 200, width=LINE_WIDTH)
    assert "".join(lines) == "x" * 200
    assert all(line_width(line) <= LINE_WIDTH + _FUZZ for line in lines)


def test_explicit_line_break_is_kept():
    assert wrapped_lines("第一行<br/>第二行", markup=True) == ["第一行", "第二行"]


def test_text_of_only_closing_marks_still_terminates():
    lines = wrapped_lines("。" * 50)
    assert "".join(lines) == "。" * 50


@pytest.mark.parametrize("unit", list("日月年起次"))
def test_a_number_stays_with_its_unit_at_the_break(unit):
    # "23" ends line one exactly; the unit after it would start line two alone.
    text = "中" * (LINE_CHARACTERS - 2) + "23" + unit + "文" * 25
    lines = wrapped_lines(text)
    assert "".join(lines) == text
    assert not lines[1].startswith(unit), lines
    assert lines[0].endswith("中")
