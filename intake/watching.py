"""The watch list and the duty roster (C06): whose lead this is, and who is on duty for it."""
from dataclasses import dataclass
from datetime import datetime

from organisation.models import Person, Unit

from .models import DutyShift, WatchRule


@dataclass(frozen=True)
class Match:
    rule: WatchRule
    keywords: tuple[str, ...]

    def as_record(self) -> dict:
        return {"rule": self.rule.pk, "name": self.rule.name, "unit": self.rule.unit_id,
                "keywords": list(self.keywords)}


def _terms(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("，", "\n").replace(",", "\n")
            .splitlines() if line.strip()]


def rule_matches(rule: WatchRule, text: str) -> tuple[str, ...]:
    """The keywords of `rule` found in `text` (none when an exclusion appears).

    A keyword line "食堂+变质" needs every part; matching ignores case."""
    folded = text.casefold()
    if any(word.casefold() in folded for word in _terms(rule.exclusions)):
        return ()
    found = []
    for line in _terms(rule.keywords):
        parts = [p.strip() for p in line.split("+") if p.strip()]
        if parts and all(p.casefold() in folded for p in parts):
            found += parts
    return tuple(dict.fromkeys(found))


class WatchList:
    """The active rules of every unit, loaded once per push."""

    def __init__(self):
        self.rules = list(WatchRule.objects.filter(active=True).select_related("unit")
                          .order_by("priority", "id"))

    def matches(self, text: str) -> list[Match]:
        return [Match(rule, kws) for rule in self.rules if (kws := rule_matches(rule, text))]


def officer_on_duty(unit: Unit, at: datetime) -> Person | None:
    """The person on the unit's shift at `at`: a shift covers [starts_at, ends_at), so at a
    boundary the incoming shift holds it. Of overlapping shifts, the one that began last."""
    shift = (DutyShift.objects.filter(unit=unit, starts_at__lte=at, ends_at__gt=at)
             .select_related("person").order_by("-starts_at", "-id").first())
    return shift.person if shift else None
