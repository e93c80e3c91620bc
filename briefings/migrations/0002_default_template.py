"""The shipped letterhead: an office can edit it in the admin or add its own templates."""
from django.db import migrations

ISSUER = "网络舆情应急处置工作领导小组办公室"


def create_default_template(apps, schema_editor):
    BriefingTemplate = apps.get_model("briefings", "BriefingTemplate")
    if BriefingTemplate.objects.filter(is_default=True).exists():
        return
    BriefingTemplate.objects.create(
        name="默认模板", is_default=True, issuer=ISSUER, short_code="舆情办",
        red_colour="#C00000", show_suffix=True, printing_unit=ISSUER,
        default_recipients="网络舆情应急处置工作领导小组",
        bulletin_recipients="领导小组各成员单位",
        copies_to="上级主管部门",
        signer="", language="zh-hans")


def remove_default_template(apps, schema_editor):
    BriefingTemplate = apps.get_model("briefings", "BriefingTemplate")
    BriefingTemplate.objects.filter(is_default=True, name="默认模板", briefings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("briefings", "0001_initial")]

    operations = [migrations.RunPython(create_default_template, remove_default_template)]
