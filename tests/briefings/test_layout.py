"""Official documents in the GB/T 9704 frame, read back as a reader would see them."""

import io
import re
import shutil

import pypdf
import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from briefings.fonts import FONT_NAMES
from briefings.layout import (
    ENGLISH_LABELS, GB_T_9704, BodyText, DataTable, Heading, Letterhead, OfficialDocument,
    render_document,
)
from tests.briefings import samples
from tests.briefings.pdf_reading import page_texts, pdffonts_rows, printed_lines

TEXT_LEFT = GB_T_9704.left_margin
TEXT_RIGHT = GB_T_9704.left_margin + GB_T_9704.text_width


def rendered(document, labels=None):
    output = io.BytesIO()
    pages = render_document(document, output, **({"labels": labels} if labels else {}))
    return output, pages


def squashed(text):
    return re.sub(r"\s+", "", text)


def test_full_document_prints_every_part_and_reads_back():
    output, pages = rendered(samples.full_document())
    texts = page_texts(output)
    assert pages == len(texts) >= 2
    everything = squashed("".join(texts))
    for part in [
        "000123", "机密★1年", "特急", "某某市网络舆情应急处置工作领导小组办公室文件",
        "舆情办〔2026〕12号", squashed(samples.full_document().title),
        "各区网络舆情应急处置工作领导小组、市直各有关单位：", "一、舆情基本情况", "（一）传播态势",
        "王镕、李喆、张堃昇珺犇", "微信公众号", "附件：1.某某街道积水问题舆情监测日报", "2.网民留言摘录",
        "2026年11月23日", "（此件发至区级）", "抄送：市委宣传部，市委网信办，市公安局，市住建局。",
        "2026年11月23日印发", "—1—", "—2—",
    ]:
        assert part in everything, part
    assert squashed(samples.BODY_PARAGRAPH) in everything


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) not installed")
@pytest.mark.parametrize("make_document", [samples.full_document, samples.english_document])
def test_every_font_in_the_pdf_is_embedded(tmp_path, make_document):
    path = tmp_path / "document.pdf"
    labels = ENGLISH_LABELS if make_document is samples.english_document else None
    path.write_bytes(rendered(make_document(), labels)[0].getvalue())
    rows = pdffonts_rows(path)
    assert rows, "pdffonts listed no fonts"
    assert [row for row in rows if row["embedded"] != "yes"] == []
    assert not any("Helvetica" in row["name"] for row in rows)


def test_long_title_wraps_into_centred_lines():
    document = samples.full_document(title="关于" + "某某区某某街道网络舆情事件" * 6 + "处置情况的报告")
    lines = [line for line in printed_lines(rendered(document)[0])
             if line.page == 1 and line.font_size == pytest.approx(GB_T_9704.title_size)]
    assert len(lines) >= 3
    assert squashed("".join(line.text for line in lines)) == squashed(document.title)
    for line in lines:
        width = stringWidth(line.text.strip(), FONT_NAMES.title, GB_T_9704.title_size)
        left_gap, right_gap = line.x - TEXT_LEFT, TEXT_RIGHT - (line.x + width)
        assert left_gap == pytest.approx(right_gap, abs=2)


def test_page_numbers_sit_outside_odd_right_even_left():
    output, pages = rendered(samples.long_document(paragraphs=40))
    numbers = [line for line in printed_lines(output) if re.fullmatch(r"— \d+ —", line.text.strip())]
    assert [int(line.text.strip("— ")) for line in numbers] == list(range(1, pages + 1))
    for line in numbers:
        if line.page % 2:
            assert line.x > TEXT_LEFT + GB_T_9704.text_width / 2
        else:
            assert line.x < TEXT_LEFT + GB_T_9704.text_width / 2
        assert line.y < GB_T_9704.bottom_margin - 7 * mm


def test_record_lines_end_on_the_last_page():
    output, pages = rendered(samples.full_document())
    last_page = [line for line in printed_lines(output) if line.page == pages]
    printed_line = next(line for line in last_page if "印发" in line.text)
    # The 印发 line is the last line of the text area, above the page number only.
    assert printed_line.y < GB_T_9704.bottom_margin + GB_T_9704.line_pitch
    assert printed_line.y > GB_T_9704.bottom_margin


def test_five_hundred_paragraphs_render_in_order():
    output, pages = rendered(samples.long_document(paragraphs=500))
    texts = page_texts(output)
    assert pages == len(texts) > 100
    everything = squashed("".join(texts))
    assert everything.index("0.10月25日") < everything.index("250.10月25日") < everything.index("499.10月25日")


def test_emoji_and_mixed_scripts_print_without_losing_characters():
    output, pages = rendered(samples.mixed_scripts_document())
    everything = "".join(page_texts(output))
    assert "\ufffd" not in everything
    flat = squashed(everything)
    for part in ["Привет,мир!", "2026年", "OpinionOpsv1.2", "emoji□□□family", "rare□□ideographs",
                 "https://example.com/a/very/long/path/without/any/spaces/at/all/index.html?query=string&and=more结束。",
                 "关于“□表情包”与Привет"]:
        assert part in flat, part


def test_empty_document_still_renders_one_page():
    output, pages = rendered(samples.empty_document())
    assert pages == 1
    assert len(pypdf.PdfReader(output).pages) == 1


def test_empty_sections_are_skipped_without_crashing():
    document = OfficialDocument(
        letterhead=Letterhead(issuer="某某办公室", show_suffix=False),
        title="通知", recipients=[], attachments=[],
        body=[BodyText(""), Heading(""), DataTable(header=[], rows=[]), DataTable(header=["甲"], rows=[[]]),
              BodyText("正文。")],
        copies_to=[], signature="",
    )
    output, pages = rendered(document)
    flat = squashed("".join(page_texts(output)))
    assert pages == 1
    assert "某某办公室" in flat and "文件" not in flat and "抄送" not in flat and "正文。" in flat


def test_english_labels_replace_every_chinese_label():
    output, _ = rendered(samples.english_document(), ENGLISH_LABELS)
    flat = squashed("".join(page_texts(output)))
    for part in ["OnlineOpinionResponseOfficeNotice", "OOR[2026]No.12", "Signedby:ZhangWei",
                 "Districtresponsegroups,Municipaldepartments:", "Attachments:Dailymonitoringreport",
                 "23November2026", "CC:PublicityDepartment;CyberspaceAffairsOffice.",
                 "IssuedbyOnlineOpinionResponseOffice", "—1—", "微博"]:
        assert part in flat, part
    for label in ["签发人", "附件：", "抄送", "印发"]:
        assert label not in flat


def test_up_going_report_puts_number_left_and_signer_right():
    output, _ = rendered(samples.full_document(signer="张三"))
    lines = printed_lines(output)
    number = next(line for line in lines if "舆情办〔2026〕12号" in line.text)
    signer = next(line for line in lines if "签发人：张三" in line.text)
    assert number.y == pytest.approx(signer.y)
    assert number.x == pytest.approx(TEXT_LEFT + GB_T_9704.body_size, abs=1)
    assert signer.x > TEXT_LEFT + GB_T_9704.text_width / 2


def test_renders_to_a_path(tmp_path):
    path = tmp_path / "notice.pdf"
    pages = render_document(samples.full_document(), str(path))
    assert len(pypdf.PdfReader(path).pages) == pages


def test_a_two_line_title_breaks_after_its_quoted_subject_not_inside_a_word():
    """GB/T 9704 7.3.1: a title breaks where its sense does; balancing alone put 网络舆/情 and
    腹/泻 on two lines."""
    from briefings.fonts import register_fonts
    from briefings.layout import PageGeometry, _title_lines
    from reportlab.lib.styles import ParagraphStyle

    fonts = register_fonts()
    geometry = PageGeometry()
    style = ParagraphStyle("t", fontName=fonts.title, fontSize=geometry.title_size)
    title = "关于“网传市七中食堂饭菜变质致学生腹泻”网络舆情处置时限履行情况的审计报告"
    assert _title_lines(title, style, geometry.text_width) == [
        "关于“网传市七中食堂饭菜变质致学生腹泻”", "网络舆情处置时限履行情况的审计报告"]
    assert _title_lines("关于网络舆情处置情况的报告", style, geometry.text_width) is None
