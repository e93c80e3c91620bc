"""The compliance figures as a table (CSV and XLSX): one row per figure, the same numbers the
JSON carries, so a spreadsheet and the API never disagree."""
import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from incidents.models import Category, Severity
from plans.models import DeadlineKind

from .figures import DEADLINE_MEASURES
from .models import FindingKind

HEADER = ("section", "item", "measure", "value")


def _label(choices, code: str) -> str:
    return str(choices(code).label) if code in choices.values else _("未定级")


def figure_rows(figures: dict) -> list[tuple]:
    """(section, item, measure, value) for every number in the figures."""
    rows = [("incidents", "total", _("事件总数"), figures["incidents"]["total"])]
    rows += [("severity", code, _label(Severity, code), n)
             for code, n in figures["incidents"]["by_severity"].items()]
    rows += [("category", code, _label(Category, code), n)
             for code, n in figures["incidents"]["by_category"].items()]
    for name in ("time_to_report_minutes", "time_to_respond_minutes",
                 "time_to_resolve_minutes"):
        rows += [(name, measure, measure, figures[name][measure])
                 for measure in ("count", "median", "p90")]
    for row in figures["deadlines"]:
        rows += [("deadline", row["kind"], measure, row[measure])
                 for measure in (*DEADLINE_MEASURES, "share_met_in_time")]
    rows += [("totals", "late", _("迟报"), figures["late"]),
             ("totals", "missed", _("漏报"), figures["missed"]),
             ("totals", "overdue_referrals", _("逾期抄告单"), figures["overdue_referrals"])]
    rows += [("confirmed_findings", kind, str(FindingKind(kind).label), n)
             for kind, n in figures["confirmed_findings"].items()]
    return rows


def _sections() -> dict:
    return {"incidents": _("事件"), "severity": _("事件级别"), "category": _("事件类别"),
            "time_to_report_minutes": _("发现至报告（分钟）"),
            "time_to_respond_minutes": _("发现至回应（分钟）"),
            "time_to_resolve_minutes": _("发现至化解（分钟）"),
            "deadline": _("时限履行"), "totals": _("合计"), "confirmed_findings": _("已确认的问责认定")}


def _measures() -> dict:
    return {"count": _("事件数"), "median": _("中位数"), "p90": _("90 分位"), "due": _("应履行"),
            "met_in_time": _("按时"), "late": _("迟报"), "missed": _("漏报"),
            "recorded_late": _("补录"), "share_met_in_time": _("按时比例")}


def shown_rows(figures: dict) -> list[tuple]:
    """The rows of figure_rows in the reader's words, for the page: the exports keep the codes
    (a spreadsheet's columns are read by programs too), the page says what each one is."""
    sections, measures = _sections(), _measures()
    shown = []
    for section, item, measure, value in figure_rows(figures):
        if section == "deadline":
            item = _label(DeadlineKind, item)
        elif section in ("severity", "category", "totals", "confirmed_findings", "incidents"):
            item = measure
        else:
            item = measures.get(item, item)
        measure = measures.get(measure, measure)
        shown.append((sections.get(section, section), item,
                       "" if measure == item else measure, value))
    return shown


def _title(figures: dict) -> str:
    unit = figures["unit"]["name"] if figures["unit"] else _("全部单位")
    return _("合规数据 %(from)s 至 %(to)s（%(unit)s）") % {
        "from": figures["period"]["from"], "to": figures["period"]["to"], "unit": unit}


def as_csv(figures: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in figure_rows(figures):
        writer.writerow(["" if value is None else value for value in row])
    # The BOM lets spreadsheet programs read the Chinese labels as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(figures: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "compliance"
    sheet.append([_title(figures)])
    sheet.append(list(HEADER))
    for row in figure_rows(figures):
        sheet.append(list(row))
    kinds = book.create_sheet("deadlines")
    kinds.append(["kind", "label", *DEADLINE_MEASURES, "share_met_in_time"])
    for row in figures["deadlines"]:
        kinds.append([row["kind"], str(DeadlineKind(row["kind"]).label),
                      *(row[m] for m in DEADLINE_MEASURES), row["share_met_in_time"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
