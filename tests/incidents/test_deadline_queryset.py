"""C21: one definition of unsettled, overdue, late and recorded late (补录). The queryset and the
row's own predicates say the same of every kind of row, so a list, a filter and a column never
disagree."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents.models import Deadline
from plans.models import DeadlineKind
from tests.incidents.helpers import detect

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
DUE = NOW - timedelta(hours=1)
MINUTE = timedelta(minutes=1)

# name: (state, due_at, met_at, met_recorded_at, breached_at) and what each reading says of it:
# (unsettled, overdue, late, recorded_late)
ROWS = {
    "pending, not yet due": (("pending", NOW + MINUTE, None, None, None),
                             (True, False, False, False)),
    "pending, due this instant": (("pending", NOW, None, None, None), (True, True, False, False)),
    "pending past due, not swept yet": (("pending", DUE, None, None, None),
                                        (True, True, False, False)),
    "met on time": (("met", DUE, DUE - MINUTE, DUE - MINUTE, None), (False, False, False, False)),
    "met, recorded after the window (sweep behind)": (
        ("met", DUE, DUE - MINUTE, DUE + MINUTE, None), (False, False, False, True)),
    "breached, never done": (("breached", DUE, None, None, DUE), (True, True, True, False)),
    "breached, met late": (("breached", DUE, DUE + MINUTE, DUE + 2 * MINUTE, DUE),
                           (False, False, True, False)),
    "breached, met and recorded late (补录)": (
        ("breached", DUE, DUE - 30 * MINUTE, DUE + 30 * MINUTE, DUE), (False, False, True, True)),
    "cancelled before due": (("cancelled", DUE, None, None, None), (False, False, False, False)),
}


@pytest.fixture
def rows(org):
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        incident = detect(org)
    rule = incident.plan.rules.get(kind=DeadlineKind.REPORT)
    made = {}
    for sequence, (name, ((state, due, met, recorded, breached), _readings)) in enumerate(
            ROWS.items(), start=1):
        made[name] = Deadline.objects.create(
            incident=incident, kind=DeadlineKind.FOLLOW_UP, sequence=sequence, rule=rule,
            clause="C05", owed_by_unit=org.department, opened_at=due - timedelta(hours=2),
            due_at=due, state=state, met_at=met, met_recorded_at=recorded, breached_at=breached)
    return made


def _pks(queryset):
    return set(queryset.filter(kind=DeadlineKind.FOLLOW_UP).values_list("pk", flat=True))


@pytest.mark.parametrize("name", list(ROWS))
def test_c21_each_reading_is_one_definition_for_the_queryset_and_the_row(rows, name):
    row = rows[name]
    unsettled, overdue, late, recorded_late = ROWS[name][1]
    objects = Deadline.objects
    assert (row.pk in _pks(objects.unsettled()), row.is_unsettled) == (unsettled, unsettled)
    assert (row.pk in _pks(objects.overdue(NOW)), row.is_overdue(NOW)) == (overdue, overdue)
    assert (row.pk in _pks(objects.not_overdue(NOW))) is not overdue
    assert (row.pk in _pks(objects.late()), row.is_late) == (late, late)
    assert (row.pk in _pks(objects.recorded_late()), row.recorded_late) == (
        recorded_late, recorded_late)
    assert (row.pk in _pks(objects.in_time(NOW))) is (not overdue and not late)


def test_c21_overdue_reads_the_clock_it_is_given(rows):
    ahead = rows["pending, not yet due"]
    assert ahead.pk not in _pks(Deadline.objects.overdue(NOW))
    assert ahead.pk in _pks(Deadline.objects.overdue(NOW + MINUTE)) and ahead.is_overdue(
        NOW + MINUTE)
    assert ahead.minutes_overdue(NOW + 5 * MINUTE) == 4


def test_c21_the_incident_list_shows_only_unsettled_rows(rows):
    incident = rows["met on time"].incident
    shown = _pks(incident.deadlines.unsettled())
    assert shown == {rows[name].pk for name, (_row, readings) in ROWS.items() if readings[0]}
