"""Rebuild the TrueType faces committed beside this script.

ReportLab embeds only TrueType (glyf) outlines, while Noto CJK ships CFF
outlines in TrueType Collections. So each face is pulled out of Debian's
``fonts-noto-cjk`` collection, subset to the characters Chinese official
documents need (everything the ``gbk`` codec can encode, plus the Latin,
punctuation and full-width blocks) and redrawn with quadratic curves.

Run from the repository root (takes a few minutes, one face per CPU)::

    python briefings/fonts/build_fonts.py

The output is deterministic for a given fonts-noto-cjk and fontTools version,
so a rebuild only shows up in git when one of those changed.
"""

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
OUTPUT_DIR = Path(__file__).resolve().parent

# Collections hold JP, KR, SC, TC, HK faces in that order; SC gives the
# mainland glyph shapes official documents use.
SIMPLIFIED_CHINESE_FACE_INDEX = 2

# Deviation allowed when turning cubic curves into quadratic ones, in font
# units (1000 per em): a thousandth of an em is invisible at print sizes.
MAX_CURVE_ERROR = 1.0

# Blocks outside GBK that documents still use: Latin-1 and Latin Extended-A
# for foreign names, general punctuation (“”‘’…—), CJK symbols, full-width
# forms, and the white square printed in place of characters we lack. U+30FB
# is the middle dot as Python's gb2312 codec decodes it from legacy text.
EXTRA_BLOCKS = (
    (0x0020, 0x017F),
    (0x2000, 0x206F),
    (0x2100, 0x214F),
    (0x2460, 0x24FF),
    (0x25A0, 0x25FF),
    (0x3000, 0x303F),
    (0x30FB, 0x30FB),
    (0xFF00, 0xFFEF),
)

# CJK Unified Ideographs Extension A: rare characters that still turn up in
# personal and place names (GB 18030 requires them). Only the body face
# carries them, to keep the repository small.
EXTENSION_A = (0x3400, 0x4DBF)


@dataclass(frozen=True)
class FaceRecipe:
    output_name: str
    collection: str
    with_extension_a: bool


FACES = (
    FaceRecipe("NotoSerifSC-Regular.ttf", "NotoSerifCJK-Regular.ttc", True),
    FaceRecipe("NotoSerifSC-Bold.ttf", "NotoSerifCJK-Bold.ttc", False),
    FaceRecipe("NotoSansSC-Bold.ttf", "NotoSansCJK-Bold.ttc", False),
)


def gbk_codepoints():
    found = set()
    for codepoint in range(0x20, 0x10000):
        if 0xD800 <= codepoint <= 0xDFFF:
            continue
        try:
            chr(codepoint).encode("gbk")
        except UnicodeEncodeError:
            continue
        found.add(codepoint)
    return found


def wanted_codepoints(with_extension_a):
    wanted = gbk_codepoints()
    blocks = EXTRA_BLOCKS + ((EXTENSION_A,) if with_extension_a else ())
    for first, last in blocks:
        wanted.update(range(first, last + 1))
    return wanted


def subset_font(font, codepoints):
    options = subset.Options()
    # ReportLab neither shapes nor kerns, so layout tables are dead weight;
    # vertical metrics only matter for vertical writing, which we never do.
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)


def quadratic_glyphs(font):
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in font.getGlyphOrder():
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, MAX_CURVE_ERROR, reverse_direction=True))
        glyphs[name] = tt_pen.glyph()
    return glyphs


def replace_cff_with_glyf(font):
    glyph_order = font.getGlyphOrder()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = quadratic_glyphs(font)
    del font["CFF "]
    glyf.compile(font)

    # TrueType expects each glyph's left side bearing to equal its xMin.
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        advance, _ = hmtx[name]
        hmtx[name] = (advance, getattr(glyph, "xMin", 0))

    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
        "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)

    # CID-keyed CFF glyph names ("cid12345") carry no meaning, so drop them.
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def build_face(recipe):
    started = time.monotonic()
    source = NOTO_DIR / recipe.collection
    font = TTFont(source, fontNumber=SIMPLIFIED_CHINESE_FACE_INDEX)
    subset_font(font, wanted_codepoints(recipe.with_extension_a))
    replace_cff_with_glyf(font)
    target = OUTPUT_DIR / recipe.output_name
    font.save(target)
    return target, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=[face.output_name for face in FACES], action="append")
    args = parser.parse_args()
    recipes = [face for face in FACES if not args.only or face.output_name in args.only]
    with ProcessPoolExecutor() as pool:
        for target, seconds in pool.map(build_face, recipes):
            print(f"{target.name}: {target.stat().st_size / 1e6:.1f} MB in {seconds:.0f} s")


if __name__ == "__main__":
    main()
