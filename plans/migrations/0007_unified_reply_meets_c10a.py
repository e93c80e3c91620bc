"""C10a: the inquiry playbook's third step (统一答复经责任部门负责人审定后回复网民) is met by the
unified reply's approval under the plan's rule (the department head for a general incident,
responses.actions.approve_draft), not by a tick on the checklist."""
from django.db import migrations

UNIFIED_REPLY = "unified-reply"


def meet_by_approval(apps, schema_editor):
    PlaybookStep = apps.get_model("plans", "PlaybookStep")
    PlaybookStep.objects.filter(category="inquiry", position=3, verb="playbook-step").update(
        verb=UNIFIED_REPLY)


def meet_by_tick(apps, schema_editor):
    PlaybookStep = apps.get_model("plans", "PlaybookStep")
    PlaybookStep.objects.filter(category="inquiry", position=3, verb=UNIFIED_REPLY).update(
        verb="playbook-step")


class Migration(migrations.Migration):
    dependencies = [("plans", "0006_playbook_steps")]
    operations = [migrations.RunPython(meet_by_approval, meet_by_tick)]
