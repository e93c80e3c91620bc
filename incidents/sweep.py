"""The sweep: beat claims every due deadline row once, marks it breached and says so.

A due pending row is claimed with a conditional UPDATE (`state='pending'` in the WHERE), and
acted on only when exactly one row changed: a second sweeper, a redelivered ETA task or a
restarted worker finds nothing left to claim. The breach is announced as the
`deadlines_breached` event; the escalation ladder (notifications) subscribes.
"""
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opinion_ops import events

from .deadlines import eta_horizon, local_time, schedule_fast_path
from .models import Deadline, Event
from .timeline import record_event

logger = logging.getLogger(__name__)


def breach(deadline_id: int, *, now: datetime | None = None,
           fence: str | None = None) -> bool:
    """Claim one due pending row: mark it breached, record it and start its ladder, once."""
    now = now or timezone.now()
    claim = Deadline.objects.filter(pk=deadline_id, state=Deadline.State.PENDING,
                                    due_at__lte=now)
    if fence is not None:
        claim = claim.filter(fence=fence)
    with transaction.atomic():
        if claim.update(state=Deadline.State.BREACHED, breached_at=now) != 1:
            return False
        deadline = Deadline.objects.select_related(
            "incident__plan", "owed_by_unit", "owed_by_person").get(pk=deadline_id)
        lateness_ms = round((now - deadline.due_at).total_seconds() * 1000)
        record_event(deadline.incident, Event.DEADLINE_BREACHED, None, clause=deadline.clause,
                     note=_("%(kind)s已超过时限（截止 %(due)s，责任单位 %(unit)s）") % {
                         "kind": deadline.get_kind_display(), "due": local_time(deadline.due_at),
                         "unit": deadline.owed_by_unit.name},
                     data={"deadline": deadline.pk, "detected_late_ms": lateness_ms})
        events.publish(events.DEADLINES_BREACHED, deadline_ids=[deadline.pk], at=now)
    return True


def warn(deadline_id: int, *, now: datetime | None = None) -> bool:
    """Record the plan's early warning for a pending row, once."""
    now = now or timezone.now()
    with transaction.atomic():
        if Deadline.objects.filter(pk=deadline_id, state=Deadline.State.PENDING,
                                   warned_at__isnull=True, warn_at__lte=now) \
                .update(warned_at=now) != 1:
            return False
        deadline = Deadline.objects.select_related("incident").get(pk=deadline_id)
        remaining = max(0, round((deadline.due_at - now).total_seconds() / 60))
        record_event(deadline.incident, Event.DEADLINE_WARNING, None, clause=deadline.clause,
                     note=_("%(kind)s将于 %(due)s 到期，剩余约 %(m)s 分钟") % {
                         "kind": deadline.get_kind_display(), "due": local_time(deadline.due_at),
                         "m": remaining},
                     data={"deadline": deadline.pk})
    return True


@dataclass
class SweepReport:
    breached: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)

    def __bool__(self):
        return bool(self.breached or self.warned)


def sweep(now: datetime | None = None, batch: int | None = None) -> SweepReport:
    """One pass over everything due: breaches and warnings."""
    now = now or timezone.now()
    batch = batch or settings.DEADLINE_SWEEP_BATCH
    report = SweepReport()
    due = (Deadline.objects.filter(state=Deadline.State.PENDING, due_at__lte=now)
           .order_by("due_at").values_list("pk", flat=True)[:batch])
    report.breached = [pk for pk in list(due) if breach(pk, now=now)]
    to_warn = (Deadline.objects.filter(state=Deadline.State.PENDING, warned_at__isnull=True,
                                       warn_at__lte=now)
               .order_by("warn_at").values_list("pk", flat=True)[:batch])
    report.warned = [pk for pk in list(to_warn) if warn(pk, now=now)]
    queue_upcoming(now, batch)
    return report


def queue_upcoming(now: datetime, batch: int) -> None:
    """Queue ETA tasks for rows that came within the horizon since they were opened, so that
    deadlines far ahead also fire within milliseconds rather than a sweep interval."""
    upcoming = (Deadline.objects.filter(state=Deadline.State.PENDING, eta_queued_at__isnull=True,
                                        due_at__gt=now, due_at__lte=now + eta_horizon())
                .order_by("due_at").only("pk", "fence", "due_at")[:batch])
    for deadline in upcoming:
        with transaction.atomic():
            schedule_fast_path(deadline)

