"""`{% console_menu %}`: base.html's menu, only what the user's role can use (console.menu)."""
from django import template

from console import menu

register = template.Library()


@register.inclusion_tag("console/_menu.html", takes_context=True)
def console_menu(context):
    request = context["request"]
    return {"items": menu.items_for(request.user, request.path)}
