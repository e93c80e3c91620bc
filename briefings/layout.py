"""The GB/T 9704-2012 frame every official document (公文) is printed in.

A document kind describes its content as an ``OfficialDocument`` and calls
``render_document``; this module knows where each element goes on the page:
版头 (copy number, classification, urgency, the red issuer's mark, document
number, red separator), 主体 (title, recipients, body, attachments, signature,
date, note) and 版记 (抄送 and 印发 lines at the foot of the last page).

Measures follow the standard: A4, top margin 37 mm, binding margin 28 mm,
text area 156 × 225 mm holding 22 lines of 28 characters. 3号 (16 pt)
characters would need 158 mm for 28 of them, so body text is set at the
size that fills the grid exactly (15.8 pt), as Word's document grid does.

Every label the reader sees comes from a ``DocumentLabels`` so the same
layout prints English documents; nothing here depends on Django.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional, Sequence, Union
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate, CondPageBreak, Flowable, Frame, HRFlowable, KeepTogether, PageBreak,
    PageTemplate, Spacer, Table, TableStyle,
)

from briefings.fonts import register_fonts, replace_missing_glyphs
from briefings.linebreak import ChineseParagraph

STANDARD_RED = colors.HexColor("#C00000")


def chinese_date(day):
    """2026年11月23日: the year in full, month and day without leading zeros (GB/T 9704 7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


def english_date(day):
    return f"{day.day} {day.strftime('%B')} {day.year}"


@dataclass(frozen=True)
class DocumentLabels:
    signer: str = "签发人："
    attachments: str = "附件："
    attachment_item: str = "{number}.{name}"
    recipients_separator: str = "、"
    recipients_end: str = "："
    copies_to: str = "抄送："
    copies_to_separator: str = "，"
    copies_to_end: str = "。"
    note: str = "（{note}）"
    printed_by: str = "{unit}"
    printed_on: str = "{date}印发"
    page_number: str = "— {number} —"
    format_date: Callable[[date], str] = chinese_date
    language: str = "zh-CN"


CHINESE_LABELS = DocumentLabels()
ENGLISH_LABELS = DocumentLabels(
    signer="Signed by: ",
    attachments="Attachments: ",
    recipients_separator=", ",
    recipients_end=":",
    copies_to="CC: ",
    copies_to_separator="; ",
    copies_to_end=".",
    note="({note})",
    printed_by="Issued by {unit}",
    printed_on="{date}",
    format_date=english_date,
    language="en",
)


@dataclass(frozen=True)
class PageGeometry:
    """Page measures in points; the defaults are GB/T 9704-2012 section 5."""

    page_size: tuple = A4
    top_margin: float = 37 * mm
    left_margin: float = 28 * mm
    text_width: float = 156 * mm
    text_height: float = 225 * mm
    lines_per_page: int = 22
    characters_per_line: int = 28
    issuer_mark_top: float = 35 * mm
    issuer_mark_max_size: float = 48
    issuer_mark_min_scale: float = 0.6
    title_size: float = 22
    record_size: float = 14
    table_size: float = 12
    page_number_size: float = 14
    page_number_gap: float = 7 * mm
    # The standard fixes the 版记 rules only; the red rule follows common templates.
    red_rule_thickness: float = 0.7 * mm
    record_thick_rule: float = 0.35 * mm
    record_thin_rule: float = 0.25 * mm

    @property
    def body_size(self):
        return self.text_width / self.characters_per_line

    @property
    def line_pitch(self):
        return self.text_height / self.lines_per_page

    @property
    def bottom_margin(self):
        return self.page_size[1] - self.top_margin - self.text_height


GB_T_9704 = PageGeometry()


@dataclass(frozen=True)
class Letterhead:
    """An organisation's template: its red mark and who prints its documents."""

    issuer: str
    suffix: str = "文件"
    show_suffix: bool = True
    red: colors.Color = STANDARD_RED
    printing_unit: str = ""


@dataclass(frozen=True)
class BodyText:
    text: str


@dataclass(frozen=True)
class Heading:
    """A heading printed as given, numbering included ("一、…", "（一）…")."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class DataTable:
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    column_weights: Optional[Sequence[float]] = None
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """Any ReportLab flowable (a chart Drawing, an Image), centred."""

    flowable: Flowable
    caption: str = ""


@dataclass(frozen=True)
class NewPage:
    pass


Block = Union[BodyText, Heading, DataTable, Figure, NewPage]


@dataclass
class OfficialDocument:
    letterhead: Letterhead
    title: str
    document_number: str = ""
    recipients: Sequence[str] = ()
    body: Sequence[Block] = ()
    copy_number: str = ""
    classification: str = ""
    urgency: str = ""
    signer: str = ""
    attachments: Sequence[str] = ()
    signature: Optional[str] = None
    date: Optional[date] = None
    note: str = ""
    copies_to: Sequence[str] = ()
    printed_by: Optional[str] = None
    printed_on: Optional[date] = None

    @property
    def signature_text(self):
        return self.letterhead.issuer if self.signature is None else self.signature

    @property
    def printed_by_text(self):
        if self.printed_by is not None:
            return self.printed_by
        return self.letterhead.printing_unit


def render_document(document, output, labels=CHINESE_LABELS, geometry=GB_T_9704):
    """Write ``document`` as PDF to ``output`` (a path or binary file) and return its page count."""
    fonts = register_fonts()
    writer = _DocumentWriter(document, labels, geometry, fonts)
    template = BaseDocTemplate(
        output,
        pagesize=geometry.page_size,
        leftMargin=geometry.left_margin,
        topMargin=geometry.top_margin,
        rightMargin=geometry.page_size[0] - geometry.left_margin - geometry.text_width,
        bottomMargin=geometry.bottom_margin,
        # Without these ReportLab selects Helvetica, which is never embedded.
        initialFontName=fonts.body,
        initialFontSize=geometry.body_size,
        title=document.title,
        author=document.letterhead.issuer,
        creator="OpinionOps",
        lang=labels.language,
    )
    frame = Frame(
        geometry.left_margin, geometry.bottom_margin, geometry.text_width, geometry.text_height,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="text-area",
    )
    template.addPageTemplates([PageTemplate("page", [frame], onPage=writer.draw_page_number)])
    template.build(writer.story())
    return template.page


class _DocumentWriter:
    def __init__(self, document, labels, geometry, fonts):
        self.document = document
        self.labels = labels
        self.geometry = geometry
        self.fonts = fonts
        self.styles = _Styles(geometry, fonts)

    def story(self):
        closing = [*self.attachment_notes(), *self.signature_block()]
        body = self.body()
        # The signature must never open a page on its own (GB/T 9704 7.3.5.4):
        # keep the last paragraph, and a heading right above it, with it.
        if body and isinstance(body[-1], ChineseParagraph):
            closing.insert(0, body.pop())
            if body and getattr(body[-1], "style", None) in self.styles.headings:
                closing.insert(0, body.pop())
        return [
            *self.masthead(),
            *self.title_and_recipients(),
            *body,
            KeepTogether(closing),
            *self.record(),
        ]

    def para(self, text, style):
        return ChineseParagraph(escape(replace_missing_glyphs(text, style.fontName)), style)

    def masthead(self):
        doc, g, s = self.document, self.geometry, self.styles
        marks = [text for text in (doc.copy_number, doc.classification, doc.urgency) if text]
        flowables = [self.para(text, s.marking) for text in marks]
        flowables.append(Spacer(0, max(0, g.issuer_mark_top - len(marks) * g.line_pitch)))
        head = doc.letterhead
        if head.issuer:
            mark_text = head.issuer + (head.suffix if head.show_suffix else "")
            flowables.append(IssuerMark(
                replace_missing_glyphs(mark_text, self.fonts.title), self.fonts.title, head.red,
                g.issuer_mark_max_size, g.issuer_mark_min_scale,
            ))
            flowables.append(Spacer(0, 2 * g.line_pitch))
        flowables.append(self.number_line())
        below_text = g.line_pitch - 1.12 * g.body_size
        flowables.append(HRFlowable(
            width="100%", thickness=g.red_rule_thickness, color=head.red, lineCap="butt",
            spaceBefore=max(0, 4 * mm - below_text), spaceAfter=0,
        ))
        return flowables

    def number_line(self):
        doc, s = self.document, self.styles
        if not doc.signer:
            return self.para(doc.document_number, s.centred)
        # Up-going reports put the number left and the signer right, each a character in.
        left = self.para(doc.document_number, s.indented_left)
        right = self.para(self.labels.signer + doc.signer, s.indented_right)
        return _plain_table([[left, right]], [self.geometry.text_width / 2] * 2, self.fonts.body)

    def title_and_recipients(self):
        doc, g, s = self.document, self.geometry, self.styles
        flowables = [Spacer(0, 2 * g.line_pitch)]
        if doc.title:
            lines = _title_lines(doc.title, s.title, g.text_width)
            if lines:
                flowables += [self.para(line, s.title) for line in lines]
            else:
                flowables.append(self.para(doc.title, _balanced(s.title, doc.title, g.text_width)))
        flowables.append(Spacer(0, g.line_pitch))
        if doc.recipients:
            text = self.labels.recipients_separator.join(doc.recipients) + self.labels.recipients_end
            flowables.append(self.para(text, s.flush))
        return flowables

    def body(self):
        flowables = []
        for block in self.document.body:
            flowables.extend(self.block(block))
        return flowables

    def block(self, block):
        s = self.styles
        if isinstance(block, BodyText):
            return [self.para(block.text, s.body)]
        if isinstance(block, Heading):
            style = {1: s.heading1, 2: s.heading2}.get(block.level, s.heading3)
            # A heading needs two lines of its section below it on the same page.
            return [CondPageBreak(3 * self.geometry.line_pitch), self.para(block.text, style)]
        if isinstance(block, DataTable):
            caption = [self.para(block.caption, s.caption)] if block.caption else []
            # Caption, header and a first row or two belong on the same page.
            return [CondPageBreak(4 * self.geometry.line_pitch), *caption, self.data_table(block),
                    Spacer(0, self.geometry.line_pitch / 2)]
        if isinstance(block, Figure):
            block.flowable.hAlign = "CENTER"
            caption = [self.para(block.caption, s.caption)] if block.caption else []
            return [KeepTogether([block.flowable, *caption])]
        if isinstance(block, NewPage):
            return [PageBreak()]
        raise TypeError(f"not a document block: {block!r}")

    def data_table(self, block):
        s, width = self.styles, self.geometry.text_width
        columns = max([1, len(block.header), *(len(row) for row in block.rows)])
        weights = list(block.column_weights or [1] * columns)
        widths = [width * weight / sum(weights) for weight in weights]
        rows = [[self.para(str(cell), s.table_header) for cell in block.header]] if block.header else []
        rows += [[self.para(str(cell), s.table_cell) for cell in row] for row in block.rows]
        rows = [row + [""] * (columns - len(row)) for row in rows] or [[""] * columns]
        table = Table(rows, colWidths=widths, repeatRows=1 if block.header else 0)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.body),
            ("FONTSIZE", (0, 0), (-1, -1), self.geometry.table_size),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        return table

    def attachment_notes(self):
        doc, g, labels = self.document, self.geometry, self.labels
        if not doc.attachments:
            return []
        flowables = [Spacer(0, g.line_pitch)]
        label_width = stringWidth(labels.attachments, self.fonts.body, g.body_size)
        numbered = len(doc.attachments) > 1
        for number, name in enumerate(doc.attachments, start=1):
            item = labels.attachment_item.format(number=number, name=name) if numbered else name
            number_width = stringWidth(item[: len(item) - len(name)], self.fonts.body, g.body_size)
            # Wrapped lines align with the first character of the attachment's name.
            indent = 2 * g.body_size + label_width + number_width
            first_line = -(label_width + number_width) if number == 1 else -number_width
            style = ParagraphStyle(f"attachment-{number}", parent=self.styles.flush,
                                   leftIndent=indent, firstLineIndent=first_line)
            flowables.append(self.para((labels.attachments if number == 1 else "") + item, style))
        return flowables

    def signature_block(self):
        doc, g, s, labels = self.document, self.geometry, self.styles, self.labels
        flowables = [Spacer(0, g.line_pitch)]
        signature = doc.signature_text
        date_text = labels.format_date(doc.date) if doc.date else ""
        two_chars = 2 * g.body_size
        signature_width = stringWidth(signature, self.fonts.body, g.body_size)
        date_width = stringWidth(date_text, self.fonts.body, g.body_size)
        # Signature two characters in from the right; the date starts two
        # characters right of the signature, unless it is the longer line
        # (GB/T 9704 7.3.5.2, documents without a seal).
        signature_x = g.text_width - two_chars - signature_width
        if date_width + two_chars > signature_width:
            signature_x = g.text_width - two_chars - date_width - two_chars
        for text, x in ((signature, signature_x), (date_text, signature_x + two_chars)):
            if text:
                flowables.append(self.para(text, _indented(s.flush, max(0, x))))
        if doc.note:
            flowables.append(self.para(labels.note.format(note=doc.note), s.body))
        return flowables

    def record(self):
        doc, labels, g, s = self.document, self.labels, self.geometry, self.styles
        printed_by = doc.printed_by_text
        printed_on = doc.printed_on or doc.date
        if not (doc.copies_to or printed_by or printed_on):
            return []
        one_char = g.record_size
        rows, commands = [], []
        if doc.copies_to:
            label_width = stringWidth(labels.copies_to, self.fonts.body, g.record_size)
            text = labels.copies_to + labels.copies_to_separator.join(doc.copies_to) + labels.copies_to_end
            style = ParagraphStyle("copies-to", parent=s.record, leftIndent=label_width,
                                   firstLineIndent=-label_width)
            rows.append([self.para(text, style), ""])
            commands += [("SPAN", (0, 0), (1, 0)),
                         ("LINEBELOW", (0, 0), (-1, 0), g.record_thin_rule, colors.black)]
        on_text = labels.printed_on.format(date=labels.format_date(printed_on)) if printed_on else ""
        by_text = labels.printed_by.format(unit=printed_by) if printed_by else ""
        rows.append([self.para(by_text, s.record), self.para(on_text, s.record_right)])
        on_width = stringWidth(on_text, self.fonts.body, g.record_size) + 1.5 * one_char
        widths = [g.text_width - on_width, on_width]
        # One character in from both edges of the text area (GB/T 9704 7.4.2, 7.4.3).
        commands += [
            ("LINEABOVE", (0, 0), (-1, 0), g.record_thick_rule, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), g.record_thick_rule, colors.black),
            ("LEFTPADDING", (0, 0), (0, -1), one_char),
            ("RIGHTPADDING", (0, 0), (0, 0), one_char if doc.copies_to else 0),
            ("RIGHTPADDING", (1, -1), (1, -1), one_char),
        ]
        return [AtFrameFoot(_plain_table(rows, widths, self.fonts.body, commands, padding=4))]

    def draw_page_number(self, canvas, template):
        g = self.geometry
        number = self.labels.page_number.format(number=canvas.getPageNumber())
        width = stringWidth(number, self.fonts.body, g.page_number_size)
        # Odd pages: right, one character in; even pages: left, one character in.
        if canvas.getPageNumber() % 2:
            x = g.left_margin + g.text_width - g.page_number_size - width
        else:
            x = g.left_margin + g.page_number_size
        dash_height = 0.3 * g.page_number_size
        canvas.saveState()
        canvas.setFont(self.fonts.body, g.page_number_size)
        canvas.setFillColor(colors.black)
        canvas.drawString(x, g.bottom_margin - g.page_number_gap - dash_height, number)
        canvas.restoreState()


class _Styles:
    """Paragraph styles of the frame: 3号 body on the line grid, 2号 title, 4号 版记."""

    def __init__(self, geometry, fonts):
        size, pitch = geometry.body_size, geometry.line_pitch
        base = ParagraphStyle("body-base", fontName=fonts.body, fontSize=size, leading=pitch,
                              alignment=TA_JUSTIFY, wordWrap="CJK")
        self.flush = ParagraphStyle("flush", parent=base)
        self.body = ParagraphStyle("body", parent=base, firstLineIndent=2 * size)
        self.centred = ParagraphStyle("centred", parent=base, alignment=TA_CENTER)
        self.indented_left = ParagraphStyle("indented-left", parent=base, leftIndent=size, alignment=TA_LEFT)
        self.indented_right = ParagraphStyle("indented-right", parent=base, rightIndent=size,
                                             alignment=TA_RIGHT)
        self.marking = ParagraphStyle("marking", parent=base, fontName=fonts.heading, alignment=TA_LEFT)
        self.title = ParagraphStyle("title", parent=base, fontName=fonts.title, alignment=TA_CENTER,
                                    fontSize=geometry.title_size, leading=geometry.title_size * 1.4)
        self.heading1 = ParagraphStyle("heading-1", parent=self.body, fontName=fonts.heading)
        self.heading2 = ParagraphStyle("heading-2", parent=self.body, fontName=fonts.title)
        self.heading3 = ParagraphStyle("heading-3", parent=self.body)
        self.headings = (self.heading1, self.heading2, self.heading3)
        table_size = geometry.table_size
        self.table_cell = ParagraphStyle("table-cell", parent=base, fontSize=table_size,
                                         leading=table_size * 1.35, alignment=TA_LEFT)
        self.table_header = ParagraphStyle("table-header", parent=self.table_cell,
                                           fontName=fonts.heading, alignment=TA_CENTER)
        self.caption = ParagraphStyle("caption", parent=self.table_cell, alignment=TA_CENTER,
                                      spaceBefore=pitch / 4, spaceAfter=pitch / 4)
        record_size = geometry.record_size
        self.record = ParagraphStyle("record", parent=base, fontSize=record_size,
                                     leading=record_size * 1.5, alignment=TA_LEFT)
        self.record_right = ParagraphStyle("record-right", parent=self.record, alignment=TA_RIGHT)


def _indented(style, left_indent):
    return ParagraphStyle(f"{style.name}-at-{left_indent:.0f}", parent=style, leftIndent=left_indent,
                          alignment=TA_LEFT)


def _title_lines(text, style, available_width):
    """A two-line title broken after its quoted subject (关于“…”/网络舆情…的报告) when each
    part fits a line: balancing alone breaks it wherever the width falls, even inside a word
    (网络舆/情, 腹/泻). None when the title fits one line or has no such break."""
    if stringWidth(text, style.fontName, style.fontSize) <= available_width or "”" not in text:
        return None
    head, _, tail = text.rpartition("”")
    lines = [head + "”", tail]
    if not tail or any(stringWidth(line, style.fontName, style.fontSize) > available_width
                       for line in lines):
        return None
    return lines


def _balanced(style, text, available_width):
    """Narrow a multi-line title so its lines come out about equally long.

    GB/T 9704 7.3.1 wants titles "排列对称", not a full line over a stub.
    """
    natural = stringWidth(text, style.fontName, style.fontSize)
    lines = math.ceil(natural / available_width)
    if lines <= 1:
        return style
    # One character of slack absorbs punctuation pushed to the next line.
    width = min(available_width, natural / lines + style.fontSize)
    margin = (available_width - width) / 2
    return ParagraphStyle("title-balanced", parent=style, leftIndent=margin, rightIndent=margin)


def _plain_table(rows, widths, font_name, commands=(), padding=0):
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle([
        # Every cell needs our font, or ReportLab pulls in unembedded Helvetica.
        ("FONTNAME", (0, 0), (-1, -1), font_name),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *commands,
    ]))
    return table


class IssuerMark(Flowable):
    """The red 发文机关标志, centred; long names are condensed, then shrunk, to fit one line."""

    def __init__(self, text, font_name, color, max_size, min_scale):
        super().__init__()
        self.text, self.font_name, self.color = text, font_name, color
        self.max_size, self.min_scale = max_size, min_scale

    def wrap(self, availWidth, availHeight):
        natural = stringWidth(self.text, self.font_name, self.max_size) or 1
        self.scale = min(1.0, availWidth / natural)
        self.size = self.max_size
        if self.scale < self.min_scale:
            self.size = self.max_size * self.scale / self.min_scale
            self.scale = self.min_scale
        self.text_width = stringWidth(self.text, self.font_name, self.size) * self.scale
        self.width = availWidth
        self.height = self.size
        return self.width, self.height

    def draw(self):
        text = self.canv.beginText()
        text.setFont(self.font_name, self.size)
        text.setHorizScale(self.scale * 100)
        text.setFillColor(self.color)
        # CJK glyphs sit on an em box whose bottom is 0.12 em below the baseline.
        text.setTextOrigin((self.width - self.text_width) / 2, 0.12 * self.size)
        text.textOut(self.text)
        self.canv.drawText(text)


class AtFrameFoot(Flowable):
    """Takes the rest of the frame and draws its content on the last lines.

    The 版记 ends on the bottom edge of the text area of the last page
    (GB/T 9704 7.4.1); when it does not fit, it moves to a new page.
    """

    def __init__(self, content):
        super().__init__()
        self.content = content

    def wrap(self, availWidth, availHeight):
        _, self.content_height = self.content.wrap(availWidth, availHeight)
        self.width = availWidth
        self.height = max(self.content_height, availHeight)
        return self.width, self.height

    def draw(self):
        self.content.drawOn(self.canv, 0, 0)
