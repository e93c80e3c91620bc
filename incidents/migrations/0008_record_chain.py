"""The record as one hash chain per incident (C24): chain columns on the timeline and the
deadline and escalation history, the chain heads, and the links of the rows already stored.

Existing rows are linked in the order they were recorded (recorded_at, then timeline before
deadline history before escalation history, then id). The append-only triggers refuse the
UPDATE that writes those links, so they are suspended for it: on PostgreSQL disabled and
enabled again inside this migration's transaction; on SQLite the table rebuild that adds the
columns has dropped them anyway, and they are installed again afterwards (as 0005 does).
"""
import importlib
from collections import defaultdict

from django.db import migrations, models
import django.db.models.deletion

append_only = importlib.import_module("incidents.migrations.0002_append_only_timeline")
record_is_final = importlib.import_module("incidents.migrations.0006_deadline_record_is_final")

PG_TRIGGERS = [
    ("incidents_timelineentry", "timeline_append_only"),
    ("incidents_deadlinechange", "deadlinechange_append_only"),
    ("incidents_escalationchange", "escalationchange_append_only"),
]
# (model, incident path, rank among rows recorded at the same instant)
CHAINED = [("TimelineEntry", "incident_id", 0), ("DeadlineChange", "deadline__incident_id", 1),
           ("EscalationChange", "escalation__deadline__incident_id", 2)]


def link_existing_rows(apps, schema_editor):
    from incidents import chain

    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table, trigger in PG_TRIGGERS:
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    rows = defaultdict(list)
    for name, path, rank in CHAINED:
        model = apps.get_model("incidents", name)
        label = f"incidents.{name.lower()}"
        fields = chain.CHAINED_FIELDS[label]
        for values in model.objects.values("pk", path, *fields):
            rows[values[path]].append((values["recorded_at"], rank, values["pk"], label, values))
    models_by_label = {f"incidents.{name.lower()}": apps.get_model("incidents", name)
                       for name, _path, _rank in CHAINED}
    heads = []
    for incident_id, links in rows.items():
        prev = ""
        for index, (_at, _rank, pk, label, values) in enumerate(sorted(links), start=1):
            digest = chain.link_hash(label, index, prev, values)
            models_by_label[label].objects.filter(pk=pk).update(
                chain_index=index, prev_hash=prev, hash=digest)
            prev = digest
        heads.append(apps.get_model("incidents", "RecordChain")(
            incident_id=incident_id, length=len(links), head_hash=prev))
    apps.get_model("incidents", "RecordChain").objects.bulk_create(heads)
    if vendor == "postgresql":
        for table, trigger in PG_TRIGGERS:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    elif vendor == "sqlite":
        schema_editor.execute(append_only.SQLITE_REVERSE)
        schema_editor.execute(append_only.SQLITE_FORWARD)
        record_is_final.reinstall_sqlite(schema_editor)


def chain_fields():
    return [
        ("chain_index", models.PositiveIntegerField(default=0, editable=False,
                                                    verbose_name="链序号")),
        ("prev_hash", models.CharField(blank=True, editable=False, max_length=64,
                                       verbose_name="前一条哈希")),
        ("hash", models.CharField(blank=True, editable=False, max_length=64,
                                  verbose_name="哈希")),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0007_referral_events_and_snapshot_topics"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecordChain",
            fields=[
                ("incident", models.OneToOneField(
                    on_delete=django.db.models.deletion.PROTECT, primary_key=True,
                    related_name="record_chain", serialize=False, to="incidents.incident")),
                ("length", models.PositiveIntegerField(default=0, verbose_name="记录条数")),
                ("head_hash", models.CharField(blank=True, max_length=64,
                                               verbose_name="最新哈希")),
            ],
            options={"verbose_name": "记录哈希链", "verbose_name_plural": "记录哈希链"},
        ),
        *[migrations.AddField(model_name=model, name=name, field=field)
          for model in ("timelineentry", "deadlinechange", "escalationchange")
          for name, field in chain_fields()],
        migrations.RunPython(link_existing_rows, migrations.RunPython.noop),
    ]
