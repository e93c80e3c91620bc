"""C19–C21 figures: on a generated history of a few hundred incidents, the compliance figures
for a quarter (and for one unit) equal those computed here independently, from the same
generated facts; the CSV and XLSX exports open and carry the same numbers."""
import csv
import io
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from audit.figures import Period, compliance
from audit.models import AccessLog, Finding
from incidents.models import Category, Deadline, Event, Incident, Severity, TimelineEntry
from plans.models import DeadlineKind
from plans.versions import default_plan
from tests.audit.stories import at

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
Q1_START = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)  # 2026-01-01 00:00 in Shanghai
OUTCOMES = ["on_time", "late", "missed", "recorded_late", "swept_then_recorded_late",
            "not_due", "cancelled"]
COMPLIANCE = "/api/v1/audit/compliance/"


def generate(org, count=320, seed=13):
    """Incidents around Q1 (some before and after it), with their report and summary
    deadlines in every outcome; returns the facts as plain dicts for the independent count."""
    rng = random.Random(seed)
    plan = default_plan()
    rules = {rule.kind: rule for rule in plan.rules.all()}
    units = [org.department, org.office]
    facts = []
    for n in range(count):
        discovered = Q1_START + timedelta(days=rng.uniform(-10, 100))
        severity = rng.choice(Severity.values + [""])
        facts.append({
            "discovered": discovered, "owner": rng.choice(units),
            "severity": severity, "category": rng.choice(Category.values) if severity else "",
            "reported": discovered + timedelta(minutes=rng.randint(3, 300))
            if rng.random() < 0.9 else None,
            "subsided": discovered + timedelta(hours=rng.randint(2, 90))
            if rng.random() < 0.6 else None,
            "reviewed": discovered + timedelta(days=rng.randint(4, 9))
            if rng.random() < 0.3 else None,
            "deadlines": [(kind, rng.choice(units), rng.choice(OUTCOMES))
                          for kind in (DeadlineKind.REPORT, DeadlineKind.SUMMARY,
                                       DeadlineKind.REFERRAL_REPLY)
                          if kind == DeadlineKind.REPORT or rng.random() < 0.5],
        })
    incidents = Incident.objects.bulk_create([Incident(
        title=f"事件{n}", summary="生成", source_url="https://weibo.com/x", platform="微博",
        discovered_at=f["discovered"], owner_unit=f["owner"], accountable_leader=org.leader,
        plan=plan, severity=f["severity"], category=f["category"], reported_at=f["reported"],
        subsided_at=f["subsided"]) for n, f in enumerate(facts)])
    rows, reviews = [], []
    for incident, f in zip(incidents, facts):
        f["pk"] = incident.pk
        for kind, unit, outcome in f["deadlines"]:
            rows.append(deadline_row(incident, rules[kind], kind, unit, outcome, rng))
        if f["reviewed"]:
            reviews.append(TimelineEntry(incident=incident, event=Event.REVIEWED,
                                         actor_name="王组长", occurred_at=f["reviewed"],
                                         recorded_at=f["reviewed"]))
    Deadline.objects.bulk_create(rows)
    TimelineEntry.objects.bulk_create(reviews)
    return facts


def deadline_row(incident, rule, kind, unit, outcome, rng):
    opened = incident.discovered_at
    due = opened + timedelta(hours=2)
    if outcome == "not_due":
        due = NOW + timedelta(hours=rng.randint(1, 48))
    row = Deadline(incident=incident, kind=kind, rule=rule, clause=rule.clause,
                   owed_by_unit=unit, opened_at=opened, due_at=due)
    early, late = due - timedelta(minutes=rng.randint(1, 100)), due + timedelta(minutes=rng.randint(1, 600))
    if outcome == "on_time":
        row.state, row.met_at, row.met_recorded_at = Deadline.State.MET, early, early
    elif outcome == "late":
        row.state, row.breached_at, row.met_at, row.met_recorded_at = (
            Deadline.State.BREACHED, due, late, late)
    elif outcome == "missed":
        row.state, row.breached_at = Deadline.State.BREACHED, due
    elif outcome == "recorded_late":
        row.state, row.met_at, row.met_recorded_at = Deadline.State.MET, early, late
    elif outcome == "swept_then_recorded_late":
        row.state, row.breached_at, row.met_at, row.met_recorded_at = (
            Deadline.State.BREACHED, due, early, late)
    elif outcome == "cancelled":
        row.state = Deadline.State.CANCELLED
    return row


def in_q1(f):
    return Q1_START <= f["discovered"] < Q1_START + timedelta(days=90)


def expected(facts, unit=None):
    """The figures, counted from the generated facts without the application's code."""
    chosen = [f for f in facts if in_q1(f)]
    owned = [f for f in chosen if unit is None or f["owner"] == unit]

    def summary(values):
        values = sorted(values)
        if not values:
            return {"count": 0, "median": None, "p90": None}
        mid = len(values) // 2
        med = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
        p90 = next(v for i, v in enumerate(values, 1) if i / len(values) >= 0.9)
        return {"count": len(values), "median": med, "p90": p90}

    def mins(f, name):
        return round((f[name] - f["discovered"]).total_seconds() / 60, 1)

    per_kind = {}
    for f in chosen:
        for kind, owing, outcome in f["deadlines"]:
            if (unit is not None and owing != unit) or outcome in ("not_due", "cancelled"):
                continue
            row = per_kind.setdefault(kind, {m: 0 for m in
                                             ("due", "met_in_time", "late", "missed",
                                              "recorded_late")})
            row["due"] += 1
            row["met_in_time"] += outcome in ("on_time", "recorded_late")
            row["late"] += outcome == "late"
            row["missed"] += outcome == "missed"
            row["recorded_late"] += outcome in ("recorded_late", "swept_then_recorded_late")
    severities = {s: sum(f["severity"] == s for f in owned) for s in Severity.values}
    if any(not f["severity"] for f in owned):
        severities["unclassified"] = sum(not f["severity"] for f in owned)
    return {
        "total": len(owned), "by_severity": severities,
        "report": summary([mins(f, "reported") for f in owned if f["reported"]]),
        "respond": summary([mins(f, "subsided") for f in owned if f["subsided"]]),
        "resolve": summary([mins(f, "reviewed") for f in owned if f["reviewed"]]),
        "deadlines": per_kind,
        "overdue_referrals": sum(
            1 for f in chosen for kind, owing, outcome in f["deadlines"]
            if kind == DeadlineKind.REFERRAL_REPLY and outcome == "missed"
            and (unit is None or owing == unit)),
    }


def check(figures, want):
    assert figures["incidents"]["total"] == want["total"]
    assert figures["incidents"]["by_severity"] == want["by_severity"]
    assert figures["time_to_report_minutes"] == want["report"]
    assert figures["time_to_respond_minutes"] == want["respond"]
    assert figures["time_to_resolve_minutes"] == want["resolve"]
    got = {row["kind"]: {m: row[m] for m in want["deadlines"][row["kind"]]}
           for row in figures["deadlines"]}
    assert got == want["deadlines"]
    assert figures["late"] == sum(r["late"] for r in want["deadlines"].values())
    assert figures["missed"] == sum(r["missed"] for r in want["deadlines"].values())
    assert figures["overdue_referrals"] == want["overdue_referrals"]


def test_c21_quarter_figures_equal_an_independent_count(org):
    facts = generate(org)
    assert sum(in_q1(f) for f in facts) > 250
    check(compliance(Q1, now=NOW), expected(facts))


def test_c21_unit_figures_count_its_incidents_its_deadlines_and_confirmed_findings(org):
    facts = generate(org)
    first = Incident.objects.get(pk=next(f["pk"] for f in facts if in_q1(f)))
    for n, status in enumerate([Finding.Status.CONFIRMED, Finding.Status.CONFIRMED,
                                Finding.Status.OPEN, Finding.Status.DISMISSED]):
        Finding.objects.create(key=f"test:{n}", kind=Finding.Kind.LATE, incident=first,
                               unit=org.department, occurred_at=first.discovered_at,
                               summary="x", status=status)
    figures = compliance(Q1, unit=org.department, now=NOW)
    check(figures, expected(facts, unit=org.department))
    assert figures["confirmed_findings"]["late"] == 2
    assert compliance(Q1, unit=org.office, now=NOW)["confirmed_findings"]["late"] == 0


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_c21_compliance_api_json_csv_and_xlsx_carry_the_same_numbers(org):
    generate(org, count=120)
    params = {"from": "2026-01-01", "to": "2026-03-31", "unit": org.department.pk}
    with at(NOW):
        client = api(org.auditor.user)
        as_json = client.get(COMPLIANCE, params).json()
        as_csv = client.get(COMPLIANCE, {**params, "format": "csv"})
        as_xlsx = client.get(COMPLIANCE, {**params, "format": "xlsx"})
    assert as_csv.status_code == as_xlsx.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table[0] == ["section", "item", "measure", "value"]
    values = {(s, i, m): v for s, i, m, v in table[1:]}
    sheet = load_workbook(io.BytesIO(as_xlsx.content))["compliance"]
    cells = {(r[0], r[1], r[2]): r[3] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert values.keys() == cells.keys()
    assert values[("incidents", "total", "事件总数")] == str(as_json["incidents"]["total"])
    assert cells[("incidents", "total", "事件总数")] == as_json["incidents"]["total"]
    for row in as_json["deadlines"]:
        for measure in ("due", "met_in_time", "late", "missed", "recorded_late"):
            key = ("deadline", row["kind"], measure)
            assert int(values[key]) == cells[key] == row[measure]
    report = as_json["time_to_report_minutes"]
    assert cells[("time_to_report_minutes", "p90", "p90")] == report["p90"]
    assert float(values[("time_to_report_minutes", "median", "median")]) == report["median"]
    exports = AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, user=org.auditor.user)
    assert sorted(e.query.split("format=")[1].split("&")[0] for e in exports) == ["csv", "xlsx"]


@pytest.mark.parametrize("params, field", [
    ({"to": "2026-03-31"}, "from"), ({"from": "2026-01-01"}, "to"),
    ({"from": "2026-01-01", "to": "2026-03-31", "format": "pdf"}, "format"),
    ({"from": "2026-01-01", "to": "2026-03-31", "unit": "abc"}, "unit"),
    ({"from": "2026-04-01", "to": "2026-03-31"}, "to")])
def test_c21_compliance_api_bad_input_is_a_400_naming_the_field(org, params, field):
    response = api(org.auditor.user).get(COMPLIANCE, params)
    assert response.status_code == 400
    assert field in response.json()


def test_c21_compliance_figures_are_for_auditing_roles_only(org):
    params = {"from": "2026-01-01", "to": "2026-03-31"}
    assert api(org.handler.user).get(COMPLIANCE, params).status_code == 403
    assert api(org.staff.user).get(COMPLIANCE, params).status_code == 200
