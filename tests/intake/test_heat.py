"""C07, C08, C09: figures arriving on leads attached to an incident become its snapshots, once
each and never rolled back by an older count, and a crossed threshold upgrades it."""
from datetime import timedelta

import pytest

from incidents import actions as incident_actions
from intake import actions
from intake.links import Item, Metrics
from intake.receiving import ingest
from tests.factories import incident_kwargs

from .conftest import T0

pytestmark = pytest.mark.django_db
URL = "https://weibo.com/1/heat"


def sighting(source, clicks, comments=0, observed=None):
    return ingest(source, [Item(title="网传某校食堂饭菜变质", url=URL, metrics=Metrics(
        clicks=clicks, comments=comments, observed_at=observed))], body={})


@pytest.fixture
def attached(org, sources, clock):
    incident = incident_actions.detect_incident(org.duty.user, **incident_kwargs())
    lead = sighting(sources.api, 200, observed=T0).created[0]
    actions.attach_lead(lead, org.duty.user, incident=incident)
    return incident


def test_c07_each_newer_sighting_becomes_one_snapshot_and_a_repeat_none(sources, clock, attached):
    clock.shift(timedelta(minutes=10))
    sighting(sources.api, 600, observed=T0 + timedelta(minutes=10))
    sighting(sources.api, 600, observed=T0 + timedelta(minutes=10))  # the same push again

    assert list(attached.metrics.order_by("id").values_list("clicks", flat=True)) == [200, 600]


def test_c07_an_older_sighting_arriving_late_is_no_snapshot(sources, clock, attached):
    clock.shift(timedelta(minutes=20))
    sighting(sources.api, 900, observed=T0 + timedelta(minutes=20))
    sighting(sources.api, 400, observed=T0 + timedelta(minutes=5))  # out of order

    assert list(attached.metrics.order_by("id").values_list("clicks", flat=True)) == [200, 900]


def test_c09_classified_incident_is_upgraded_when_lead_figures_cross_major(org, sources, clock,
                                                                           attached):
    incident_actions.report_incident(attached, org.duty.user,
                                     incident_actions.Step(channel="phone", recipient="舆情办 赵干事"))
    incident_actions.classify_incident(attached, org.staff.user, category="inquiry",
                                       severity="general")
    clock.shift(timedelta(minutes=30))
    sighting(sources.api, 1200, observed=T0 + timedelta(minutes=30))

    attached.refresh_from_db()
    assert attached.severity == "major"
