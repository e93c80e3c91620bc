"""A step recorded late (补录) says so on its timeline entry, with the reason (C21).

SQLite rebuilds a table to add a column, which drops its triggers: the append-only trigger of
0002 is installed again afterwards (a no-op on PostgreSQL, whose ALTER TABLE keeps it).
"""
import importlib

from django.db import migrations, models

append_only = importlib.import_module("incidents.migrations.0002_append_only_timeline")


def reinstall_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(append_only.SQLITE_REVERSE)
        schema_editor.execute(append_only.SQLITE_FORWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0004_deadline_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='timelineentry',
            name='late_reason',
            field=models.TextField(blank=True, verbose_name='补录原因'),
        ),
        migrations.AddField(
            model_name='timelineentry',
            name='recorded_late',
            field=models.BooleanField(default=False, verbose_name='补录'),
        ),
        migrations.RunPython(reinstall_sqlite_trigger, migrations.RunPython.noop),
    ]
