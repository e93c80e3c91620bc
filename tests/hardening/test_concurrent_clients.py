"""Many clients at once on PostgreSQL (issue 16): 16 clients transitioning one incident, 200
requests creating with one Idempotency-Key. One winner each; the others get a clear 409 (or,
for the key, the first incident replayed); nothing half-written; the chain verifies."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from audit.verify import verify
from incidents import actions
from incidents.models import Deadline, Event, IdempotencyKey, Incident, State, TimelineEntry
from plans.models import DeadlineKind
from tests.factories import incident_kwargs

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

URL = "/api/v1/incidents/"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between many connections need PostgreSQL")


def _client(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def test_c24_sixteen_clients_report_one_incident_one_wins_fifteen_get_409(org):
    incident = actions.detect_incident(org.duty.user, **incident_kwargs())
    barrier = threading.Barrier(16)
    answers = []

    def report(n):
        client = _client(org.duty if n % 2 else org.staff)
        try:
            barrier.wait()
            response = client.post(f"{URL}{incident.pk}/report/", {
                "channel": "phone", "recipient": f"舆情办 {n}", "note": f"电话报告 {n}"},
                format="json")
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(code for code, _body in answers)
    assert len(answers) == 16
    assert codes == [200] + [409] * 15, codes
    for code, body in answers:
        if code == 409:
            assert body["detail"], body  # a reason, not an empty refusal
    incident.refresh_from_db()
    assert incident.state == State.REPORTED and incident.revision == 2
    assert TimelineEntry.objects.filter(incident=incident, event=Event.REPORTED).count() == 1
    report = Deadline.objects.get(incident=incident, kind=DeadlineKind.REPORT)
    assert report.state == Deadline.State.MET
    assert verify([incident.pk]).ok


def test_c24_two_hundred_creates_with_one_idempotency_key_make_one_incident(org):
    body = {"title": "网传某校食堂饭菜变质", "summary": "微博用户发帖称食堂饭菜变质。",
            "source_url": "https://weibo.com/123/abc", "platform": "微博",
            "discovered_at": "2026-11-23T09:55:00+08:00", "urgent": False}
    threads = 20
    barrier = threading.Barrier(threads)

    def create(n):
        client = _client(org.duty)
        try:
            if n < threads:
                barrier.wait()
            response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="mon-200")
            return response.status_code, response.json().get("id")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        answers = list(pool.map(create, range(200)))
    codes = [code for code, _id in answers]
    assert codes.count(201) == 1, sorted(set(codes))
    assert set(codes) <= {200, 201}, sorted(set(codes))
    assert len({pk for _code, pk in answers}) == 1
    assert Incident.objects.count() == 1
    assert IdempotencyKey.objects.filter(key="mon-200").count() == 1
    incident = Incident.objects.get()
    assert TimelineEntry.objects.filter(incident=incident, event=Event.DETECTED).count() == 1
    assert verify([incident.pk]).ok
