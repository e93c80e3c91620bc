"""C13 with two real connections (PostgreSQL): an acknowledgement waits for a send already
under way, so no message goes out after the acknowledgement commits."""
import importlib
import threading
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone


from notifications.ladder import acknowledge
from notifications import delivery
from notifications.models import Delivery
from tests.incidents.helpers import detect

from .conftest import Reply
from .test_delivery_support import escalation_of, give_channels
from tests.support.sweeping import sweep_all

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks between two connections need PostgreSQL"),
]
SEND_SECONDS = 1.5


@pytest.fixture
def org(db):
    """A transactional test starts from whatever an earlier one flushed: put the seed data of
    the roles and shipped-plans migrations back before building the office."""
    from plans.models import ResponsePlan
    from tests.factories import Org

    if not Group.objects.exists():
        importlib.import_module("incidents.migrations.0003_roles").create_roles(apps, None)
    if not ResponsePlan.objects.exists():
        importlib.import_module("plans.migrations.0002_shipped_plans").create_plans(apps, None)
    return Org()


def test_c13_acknowledgement_waits_for_a_send_under_way(org, local_server):
    replies = iter([Reply(503, b"busy"), Reply(200, b"ok", delay=SEND_SECONDS)])
    local_server.responder = lambda request: next(replies)
    give_channels(org.duty, local_server, kinds=("webhook",))
    incident = detect(org, discovered_at=timezone.now() - timedelta(minutes=31), urgent=True)
    sweep_all()  # level 1; the webhook's first attempt fails and waits for a retry
    row = Delivery.objects.get(channel_kind="webhook")
    assert row.status == "queued"
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())

    def send():
        try:
            delivery.attempt(row.pk, str(row.attempt_token))
        finally:
            connection.close()

    sender = threading.Thread(target=send)
    sender.start()
    while len(local_server.received) < 2:  # the retry is on the wire
        time.sleep(0.01)
    started = time.monotonic()
    assert acknowledge(escalation_of(incident), org.staff.user, via="电话")
    waited = time.monotonic() - started
    sender.join()

    row.refresh_from_db()
    assert row.status == "sent"
    assert waited > SEND_SECONDS / 2
    assert row.sent_at <= escalation_of(incident).acknowledged_at
