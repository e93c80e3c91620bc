"""bin/backup and bin/restore (issue 16): a round trip through pg_dump and pg_restore keeps
every hash chain valid (verify_audit green on the restored database) and the deadlines that
were pending fire there."""
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from incidents import actions
from incidents.models import Deadline
from plans.models import DeadlineKind
from tests.factories import incident_kwargs
from tests.integration.conftest import database_url_for_subprocesses

# integration: pg_dump, pg_restore and the sweep run as subprocesses on the real clock, so the
# shifted-clock run (.ci/run step 5) leaves this out as it does the other real-process tests.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]


def _run(argv, url, **env):
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DATABASE_URL": url, **env})


@pytest.fixture
def restored_url():
    """An empty database beside the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("bin/backup and bin/restore are pg_dump and pg_restore")
    source = database_url_for_subprocesses()
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = source.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield source.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_c24_backup_and_restore_round_trip_keeps_the_chain_and_the_pending_deadlines(
        org, tmp_path, restored_url):
    # An urgent incident reported by phone, its written report (C02) due a few seconds on.
    discovered = timezone.now() - timedelta(minutes=90) + timedelta(seconds=4)
    incident = actions.detect_incident(org.duty.user, **incident_kwargs(
        discovered_at=discovered, urgent=True))
    written = Deadline.objects.get(incident=incident, kind=DeadlineKind.WRITTEN_REPORT)
    assert written.state == Deadline.State.PENDING
    assert timezone.now() < written.due_at < timezone.now() + timedelta(seconds=10)

    dump = tmp_path / "opinionops.dump"
    backup = _run([str(ROOT / "bin/backup"), str(dump)], database_url_for_subprocesses())
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.strip() == str(dump) and dump.stat().st_size > 0

    restore = _run([str(ROOT / "bin/restore"), str(dump)], restored_url,
                   OPINIONOPS_VENV=str(Path(sys.executable).parent.parent))
    assert restore.returncode == 0, restore.stderr
    assert restore.stdout.startswith("OK: "), restore.stdout  # verify_audit's verdict

    # A restore refuses a database that is not empty.
    again = _run([str(ROOT / "bin/restore"), str(dump)], restored_url)
    assert again.returncode == 1 and "empty" in again.stderr

    # The pending deadline falls due and the restored database's sweep breaches it.
    time.sleep(max(0.0, (written.due_at - timezone.now()).total_seconds()) + 0.5)
    python = sys.executable
    sweep = _run([python, "manage.py", "enforce_deadlines", "--once"], restored_url)
    assert sweep.returncode == 0, sweep.stderr
    with psycopg.connect(restored_url.replace("postgres://", "postgresql://")) as conn:
        state, breached_at = conn.execute(
            "SELECT state, breached_at FROM incidents_deadline WHERE id = %s",
            [written.pk]).fetchone()
        entries = conn.execute(
            "SELECT count(*) FROM incidents_timelineentry WHERE incident_id = %s AND event = "
            "'deadline_breached' AND (data->>'deadline')::int = %s",
            [incident.pk, written.pk]).fetchone()[0]
    assert state == "breached" and breached_at is not None and entries == 1
    verified = _run([python, "manage.py", "verify_audit"], restored_url)
    assert verified.returncode == 0 and verified.stdout.startswith("OK: "), verified.stderr
    # The source database was not touched by any of it.
    written.refresh_from_db()
    assert written.state == Deadline.State.PENDING
