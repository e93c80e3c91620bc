"""Who is acting: the user stored for an actor, the name shown for them, their person record.

An actor is a Django user, or None for the system itself (the sweep, a task).
"""
from django.utils.translation import gettext as _

from .models import Person


def acting_user(actor):
    """The user to store for an actor: None for the system and for anonymous callers."""
    return actor if actor is not None and actor.is_authenticated else None


def actor_name(actor) -> str:
    if actor is None:
        return _("系统")
    person = getattr(actor, "person", None)
    return person.name if person is not None else actor.get_username()


def person_of(actor) -> Person | None:
    return getattr(actor, "person", None) if actor is not None else None
