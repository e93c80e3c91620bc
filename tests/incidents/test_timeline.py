"""C24: the record cannot be altered afterwards — not through the ORM, nor raw SQL."""
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from incidents.models import AppendOnlyError, TimelineEntry
from tests.incidents.helpers import detect

pytestmark = pytest.mark.django_db


def test_c24_timeline_entry_cannot_be_updated_through_the_orm(org):
    entry = detect(org).timeline.get(event="detected")
    entry.note = "改写"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        TimelineEntry.objects.filter(pk=entry.pk).update(note="改写")
    assert TimelineEntry.objects.get(pk=entry.pk).note == ""


def test_c24_timeline_entry_cannot_be_deleted_through_the_orm(org):
    incident = detect(org)
    entry = incident.timeline.get(event="detected")
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        TimelineEntry.objects.all().delete()
    assert incident.timeline.filter(pk=entry.pk).exists()


def test_c24_database_refuses_raw_update_of_timeline(org):
    entry = detect(org).timeline.get(event="detected")
    with pytest.raises((DatabaseError, IntegrityError)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE incidents_timelineentry SET note = 'x' WHERE id = %s",
                           [entry.pk])
    assert TimelineEntry.objects.get(pk=entry.pk).note == ""


def test_c24_database_refuses_raw_delete_of_timeline_on_postgresql(org):
    if connection.vendor != "postgresql":
        pytest.skip("the delete trigger is PostgreSQL-only (SQLite's test flush uses DELETE)")
    entry = detect(org).timeline.get(event="detected")
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM incidents_timelineentry WHERE id = %s", [entry.pk])
    assert TimelineEntry.objects.filter(pk=entry.pk).exists()


def test_c24_incident_with_a_timeline_cannot_be_deleted(org):
    from django.db.models import ProtectedError

    incident = detect(org)
    with pytest.raises(ProtectedError):
        incident.delete()
