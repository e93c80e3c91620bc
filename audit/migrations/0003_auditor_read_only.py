"""Auditors are read-only across the organisation (issue 13): take back the review verb that
the first role table gave them (organisation.roles no longer lists it). The review is the
leadership group's (C20); the auditor keeps the audit's own records (audit.roles)."""
from django.db import migrations


def take_back_review(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="auditor").first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="incidents", codename="review_incident"))


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_roles"), ("incidents", "0003_roles")]
    operations = [migrations.RunPython(take_back_review, migrations.RunPython.noop)]
