"""The committed faces: what they cover, how they register, what replaces the rest."""

import pytest
from fontTools.ttLib import TTFont as FontFile
from reportlab.pdfbase import pdfmetrics

from briefings.fonts import (
    FONT_DIR, FONT_NAMES, MISSING_GLYPH_SUBSTITUTE, register_fonts, replace_missing_glyphs,
)

FACE_FILES = ["NotoSerifSC-Regular.ttf", "NotoSerifSC-Bold.ttf", "NotoSansSC-Bold.ttf"]
RARE_NAME_CHARACTERS = "镕喆堃昇珺犇"
DOCUMENT_PUNCTUATION = "，。、；：？！（）《》〈〉「」『』【】〔〕“”‘’…—·％★□"


def codepoints(filename):
    return set(FontFile(FONT_DIR / filename, lazy=True).getBestCmap())


# ≒ is in GBK but not in Noto CJK SC itself; documents print it as □.
ABSENT_FROM_NOTO = {"≒"}


def gbk_characters():
    characters = []
    for codepoint in range(0x20, 0x10000):
        character = chr(codepoint)
        if character.isprintable() and character not in ABSENT_FROM_NOTO:
            try:
                character.encode("gbk")
            except UnicodeEncodeError:
                continue
            characters.append(character)
    return characters


def gb2312_characters():
    """As Python's gb2312 codec decodes them, which differs from gbk for a few marks."""
    characters = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                characters.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return characters


@pytest.mark.parametrize("filename", FACE_FILES)
def test_face_is_truetype_and_covers_names_and_punctuation(filename):
    font = FontFile(FONT_DIR / filename, lazy=True)
    assert "glyf" in font and "CFF " not in font
    covered = codepoints(filename)
    missing = [c for c in RARE_NAME_CHARACTERS + DOCUMENT_PUNCTUATION if ord(c) not in covered]
    assert missing == []


@pytest.mark.parametrize("filename", FACE_FILES)
def test_face_covers_all_of_gbk(filename):
    covered = codepoints(filename)
    wanted = gbk_characters() + gb2312_characters()
    assert [c for c in wanted if ord(c) not in covered] == []


def test_body_face_also_covers_extension_a_name_characters():
    assert ord("䶮") in codepoints("NotoSerifSC-Regular.ttf")


def test_licence_and_build_script_ship_with_the_fonts():
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "OFL.txt").read_text()
    assert (FONT_DIR / "build_fonts.py").exists()


def test_registration_is_idempotent():
    first = register_fonts()
    face = pdfmetrics.getFont(first.body)
    assert register_fonts() == first == FONT_NAMES
    assert pdfmetrics.getFont(first.body) is face


def test_covered_text_is_left_alone():
    text = "王镕、李喆、张堃：Привет, world — 2026年“舆情”…"
    assert replace_missing_glyphs(text, FONT_NAMES.body) == text


def test_emoji_and_rare_ideographs_become_visible_squares():
    assert replace_missing_glyphs("好😀的𪚥字", FONT_NAMES.body) == "好□的□字"


def test_emoji_with_modifiers_and_joiners_becomes_one_square():
    thumbs_up_medium_skin = "👍🏽"
    family = "👨\u200d👩\u200d👧"
    heart_with_selector = "❤\ufe0f"
    for emoji in (thumbs_up_medium_skin, family):
        assert replace_missing_glyphs(f"a{emoji}b", FONT_NAMES.body) == f"a{MISSING_GLYPH_SUBSTITUTE}b"
    assert MISSING_GLYPH_SUBSTITUTE not in replace_missing_glyphs(heart_with_selector, FONT_NAMES.body)[1:]


def test_control_characters_do_not_reach_the_pdf():
    assert replace_missing_glyphs("第一\x00行\n第二行\x07", FONT_NAMES.body) == "第一行 第二行"


def test_extension_a_character_is_boxed_only_in_faces_without_it():
    assert replace_missing_glyphs("䶮", FONT_NAMES.body) == "䶮"
    assert replace_missing_glyphs("䶮", FONT_NAMES.heading) == MISSING_GLYPH_SUBSTITUTE
