"""Conditions that capability apps set on a core verb, without the core importing them.

The core's `respond` needs, for a major incident, a published approved response (C16, C17).
Responses are the `responses` app's records, above the core. So `responses` registers, from its
AppConfig.ready(), a function that reads the incident and says why the verb may not be done
yet. The verb's action asks `refusal(verb, incident)` inside its step, with the incident
locked, and refuses with 409 (TransitionNotAllowed) when a condition answers.

A condition returns "" when it has no objection, or the reason in the user's language. It reads
only; it must not write.
"""
from collections.abc import Callable

from .models import Incident

Condition = Callable[[Incident], str]

_conditions: dict[str, list[Condition]] = {}


def register(verb: str, condition: Condition) -> Condition:
    """Add a condition on `verb` (idempotent: ready() may run twice in tests)."""
    registered = _conditions.setdefault(verb, [])
    if condition not in registered:
        registered.append(condition)
    return condition


def refusal(verb: str, incident: Incident) -> str:
    """The first objection of the conditions on `verb`, or "" when none objects."""
    for condition in _conditions.get(verb, ()):
        reason = condition(incident)
        if reason:
            return reason
    return ""
