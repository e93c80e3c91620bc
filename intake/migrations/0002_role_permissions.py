"""Grant the lead permissions to the plan's role groups (intake.permissions)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

from intake.permissions import LEAD_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    config = apps.get_app_config("intake")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in LEAD_ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="intake",
                                                         codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial"), ("incidents", "0003_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
