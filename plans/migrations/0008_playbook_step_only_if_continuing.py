"""C10b: the malicious-hype playbook's referral (仍持续炒作的，移送纪检监察或执法机关) is owed
only if the hype continues: the step is kept back at classification and opens on a hotter
snapshot or a spreading mark."""
from django.db import migrations, models


def keep_back(apps, schema_editor):
    PlaybookStep = apps.get_model("plans", "PlaybookStep")
    PlaybookStep.objects.filter(category="hype", position=2).update(only_if_continuing=True)


class Migration(migrations.Migration):
    dependencies = [("plans", "0007_unified_reply_meets_c10a")]
    operations = [
        migrations.AddField(
            model_name="playbookstep", name="only_if_continuing",
            field=models.BooleanField(default=False, verbose_name="舆情持续时才开启")),
        migrations.RunPython(keep_back, migrations.RunPython.noop),
    ]
