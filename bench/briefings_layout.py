"""Time font registration and GB/T 9704 rendering: ms per page for a 100-page document.

Run from the repository root: python bench/briefings_layout.py
The target for later document kinds is at most 100 ms per page.
"""

import io
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefings.fonts import register_fonts  # noqa: E402
from briefings.layout import (  # noqa: E402
    BodyText, DataTable, Heading, Letterhead, OfficialDocument, render_document,
)

PARAGRAPH = (
    "10月25日9时许，网民“江城观察”在微博发布《关于某某街道积水问题的调查》一文，反映某某区某某街道"
    "连续三天积水、群众出行困难等问题，截至发稿时累计阅读量超过120万次，转发3.2万次（负面评论占67%）。"
)


def document_of_about(pages):
    body = []
    # About six paragraphs, a heading and a small table fill one page.
    for section in range(pages):
        body.append(Heading(f"{section + 1}. 第{section + 1}部分"))
        body.extend(BodyText(PARAGRAPH) for _ in range(4))
        body.append(DataTable(header=["平台", "阅读量", "转发"], rows=[["微博", "120万", "3.2万"]] * 3))
    return OfficialDocument(
        letterhead=Letterhead(issuer="某某市网络舆情应急处置工作领导小组办公室"),
        document_number="舆情办〔2026〕12号", title="关于网络舆情处置情况的报告",
        recipients=["各区网络舆情应急处置工作领导小组"], body=body, date=date(2026, 11, 23),
        copies_to=["市委宣传部"],
    )


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, (time.perf_counter() - started) * 1000


def main():
    _, registration_ms = timed(register_fonts)
    print(f"font registration (once per process): {registration_ms:.0f} ms")
    for target_pages in (1, 10, 100):
        document = document_of_about(target_pages)
        pages, elapsed_ms = timed(lambda: render_document(document, io.BytesIO()))
        print(f"{pages:4d} pages: {elapsed_ms:7.0f} ms, {elapsed_ms / pages:5.1f} ms/page")


if __name__ == "__main__":
    main()
