"""Read back what a reader of the PDF sees: its text, where each line sits, its fonts."""

import shutil
import subprocess
from dataclasses import dataclass

import pypdf


@dataclass(frozen=True)
class PrintedLine:
    page: int
    x: float
    y: float
    font_size: float
    text: str


def page_texts(pdf_bytes_io):
    pdf_bytes_io.seek(0)
    return [page.extract_text() for page in pypdf.PdfReader(pdf_bytes_io).pages]


def printed_lines(pdf_bytes_io):
    """Each printed line with the absolute position of its start on the page, in points.

    ReportLab splits a CJK line into one text run per 256-glyph font subset;
    the runs of a line share its start position and are joined back here.
    """
    pdf_bytes_io.seek(0)
    lines = []
    for number, page in enumerate(pypdf.PdfReader(pdf_bytes_io).pages, start=1):
        def visit(text, cm, tm, font_dict, font_size, number=number):
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            text = text.strip("\n")
            previous = lines[-1] if lines else None
            if previous and (previous.page, previous.x, previous.y) == (number, x, y):
                lines[-1] = PrintedLine(number, x, y, font_size, previous.text + text)
            else:
                lines.append(PrintedLine(number, x, y, font_size, text))
        page.extract_text(visitor_text=visit)
    return lines


def pdffonts_rows(path):
    """The font table ``pdffonts`` prints, one dict per font, or None without poppler."""
    if shutil.which("pdffonts") is None:
        return None
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    header, _, *rows = output.splitlines()
    emb_column = header.index("emb")
    return [{"name": row.split()[0], "embedded": row[emb_column:emb_column + 3].strip()} for row in rows]
