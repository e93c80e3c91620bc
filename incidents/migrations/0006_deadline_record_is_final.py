"""A breach is never erased (C21, C24): the deadline row keeps what was recorded, and its
history (DeadlineChange, EscalationChange) is append-only like the timeline.

On incidents_deadline the database refuses an UPDATE that clears or changes `breached_at` once
set, that moves `state` away from 'breached', or that changes the fulfilment (`met_at`,
`met_recorded_at`, `met_by_id`) once recorded. Deletes of deadline rows are left to the
foreign keys of their history (PROTECT).

On PostgreSQL the history tables refuse UPDATE and DELETE; on SQLite only UPDATE, because
Django's test flush empties tables with DELETE there (see 0002). SQLite rebuilds a table to
add a NOT NULL column, which drops its triggers: a later migration that does so on one of these
tables runs `reinstall_sqlite` afterwards (as 0005 does for the timeline).
"""
from django.db import migrations, models

PG_FORWARD = """
CREATE OR REPLACE FUNCTION opinionops_deadline_record_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.breached_at IS NOT NULL AND NEW.breached_at IS DISTINCT FROM OLD.breached_at THEN
        RAISE EXCEPTION 'deadline %: breached_at is on the record for good', OLD.id;
    END IF;
    IF OLD.state = 'breached' AND NEW.state <> 'breached' THEN
        RAISE EXCEPTION 'deadline %: a breached deadline stays breached', OLD.id;
    END IF;
    IF OLD.met_at IS NOT NULL AND (NEW.met_at IS DISTINCT FROM OLD.met_at
            OR NEW.met_recorded_at IS DISTINCT FROM OLD.met_recorded_at
            OR NEW.met_by_id IS DISTINCT FROM OLD.met_by_id) THEN
        RAISE EXCEPTION 'deadline %: its fulfilment is on the record for good', OLD.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER deadline_record_is_final BEFORE UPDATE ON incidents_deadline
    FOR EACH ROW EXECUTE FUNCTION opinionops_deadline_record_is_final();
CREATE TRIGGER deadlinechange_append_only BEFORE UPDATE OR DELETE ON incidents_deadlinechange
    FOR EACH ROW EXECUTE FUNCTION opinionops_refuse_change();
CREATE TRIGGER escalationchange_append_only BEFORE UPDATE OR DELETE
    ON incidents_escalationchange
    FOR EACH ROW EXECUTE FUNCTION opinionops_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS escalationchange_append_only ON incidents_escalationchange;
DROP TRIGGER IF EXISTS deadlinechange_append_only ON incidents_deadlinechange;
DROP TRIGGER IF EXISTS deadline_record_is_final ON incidents_deadline;
DROP FUNCTION IF EXISTS opinionops_deadline_record_is_final();
"""
# SQLite runs one statement per execute(); `IS NOT` is its null-safe "is distinct from".
SQLITE_FORWARD = [
    """
CREATE TRIGGER deadline_record_is_final BEFORE UPDATE ON incidents_deadline
WHEN (OLD.breached_at IS NOT NULL AND NEW.breached_at IS NOT OLD.breached_at)
  OR (OLD.state = 'breached' AND NEW.state <> 'breached')
  OR (OLD.met_at IS NOT NULL AND (NEW.met_at IS NOT OLD.met_at
      OR NEW.met_recorded_at IS NOT OLD.met_recorded_at OR NEW.met_by_id IS NOT OLD.met_by_id))
BEGIN SELECT RAISE(ABORT, 'incidents_deadline: a recorded breach or fulfilment is final'); END;
""",
    """
CREATE TRIGGER deadlinechange_append_only BEFORE UPDATE ON incidents_deadlinechange
BEGIN SELECT RAISE(ABORT, 'table incidents_deadlinechange is append-only'); END;
""",
    """
CREATE TRIGGER escalationchange_append_only BEFORE UPDATE ON incidents_escalationchange
BEGIN SELECT RAISE(ABORT, 'table incidents_escalationchange is append-only'); END;
""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS escalationchange_append_only;",
    "DROP TRIGGER IF EXISTS deadlinechange_append_only;",
    "DROP TRIGGER IF EXISTS deadline_record_is_final;",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        reinstall_sqlite(schema_editor)


def reinstall_sqlite(schema_editor):
    for statement in SQLITE_REVERSE + SQLITE_FORWARD:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0005_step_recorded_late"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="met_recorded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="履行记录时间"),
        ),
        migrations.AddField(
            model_name="deadlinechange",
            name="kind",
            field=models.CharField(choices=[
                ("opened", "开始计时"), ("recomputed", "重算截止时间"), ("breached", "超时"),
                ("met", "按时履行"), ("met_late", "逾期履行"), ("met_recorded_late", "补录履行"),
                ("cancelled", "撤销")], default="", max_length=20, verbose_name="变更"),
            preserve_default=False,
        ),
        migrations.RunPython(install, uninstall),
    ]
