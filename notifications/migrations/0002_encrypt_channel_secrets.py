"""Channel credentials stored before encryption are sealed (notifications.secrets): robot URLs,
signing secrets, provider keys and webhook headers of every office and personal channel."""
from django.db import migrations


def seal_existing(apps, schema_editor):
    from notifications import secrets

    for name in ("ChannelConfig", "PersonChannel"):
        for row in apps.get_model("notifications", name).objects.all():
            sealed = secrets.seal(row.kind, row.config or {})
            if sealed != row.config:
                row.config = sealed
                row.save(update_fields=["config"])


def open_existing(apps, schema_editor):
    from notifications import secrets

    for name in ("ChannelConfig", "PersonChannel"):
        for row in apps.get_model("notifications", name).objects.all():
            row.config = secrets.open_config(row.kind, row.config or {})
            row.save(update_fields=["config"])


class Migration(migrations.Migration):

    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seal_existing, open_existing)]
