"""A choices field's labels, read once per field and language.

Django's get_FOO_display() rebuilds a dict of the field's choices on every call and hashes each
lazily translated label, which translates it: a quarter of a millisecond a call. A board of 80
cards calls it twice a card, a sweep once a breached row (bench/console.py, bench/deadlines.py).
"""
import functools

from django.utils.encoding import force_str
from django.utils.translation import get_language


def labels(field) -> dict:
    """{value: label} of a choices field in the active language."""
    return _labels(field, get_language())


@functools.lru_cache(maxsize=512)
def _labels(field, language: str | None) -> dict:
    return {value: force_str(label, strings_only=True) for value, label in field.flatchoices}


class CachedChoiceLabels:
    """A model mixin: get_FOO_display() from `labels`, the same answers as Django's (a value
    that is not a choice, or not hashable, is shown as itself)."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            return labels(field)[value]
        except (KeyError, TypeError):
            return super()._get_FIELD_display(field)
