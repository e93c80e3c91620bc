"""Give the plan's roles their audit permissions (audit.roles)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

from audit.roles import AUDIT_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    audit = apps.get_app_config("audit")
    audit.models_module = True
    create_permissions(audit, apps=apps, verbosity=0)
    audit.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in AUDIT_ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="audit",
                                                         codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_findings"), ("incidents", "0003_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
