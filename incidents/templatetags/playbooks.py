"""`{% playbook_checklist incident %}`: the category's steps (C10a–d) as a checklist."""
from django import template
from django.utils import timezone

from incidents import playbooks

register = template.Library()


@register.inclusion_tag("incidents/_playbook.html")
def playbook_checklist(incident):
    return {"incident": incident, "items": playbooks.checklist(incident),
            "now": timezone.now()}
