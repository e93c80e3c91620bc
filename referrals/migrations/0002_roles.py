"""Give the plan's roles the referral permissions (organisation.roles names the groups)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

from organisation import roles

REFERRAL_PERMISSIONS = {
    roles.DEPARTMENT_HANDLER: ["reply_referral", "extend_referral"],
    roles.OFFICE_STAFF: ["extend_referral", "review_referral", "supervise_referral"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("referrals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in REFERRAL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="referrals",
                                                         codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial"), ("incidents", "0003_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
