"""The verbs of delivery: queue the copies of a notification, attempt one, give one up.

Each copy is a Delivery row; the row is the truth and Celery only makes it sooner.

    held ──(an earlier channel of the person failed for good)──> queued
    queued ──claim (conditional UPDATE on status, due time and attempt token)──> sending
    sending ──> sent
            ──> queued again, next_attempt_at = now + backoff   (transient error, attempts left)
            ──> failed, and the person's next held channel is released   (permanent, or no
                attempts left: "give up")
            ──> cancelled   (the escalation was acknowledged or its obligation met meanwhile)
    held, queued ──(acknowledged)──> cancelled

A task carries the attempt token it was queued with and every claim rotates it, so a duplicated
or redelivered task claims nothing. The send runs in a transaction that holds the delivery row
and, for ladder rungs, a share lock on the escalation row (PostgreSQL; SQLite's write lock covers
the whole database): acknowledging waits for sends already under way, and a send that starts
after an acknowledgement committed sees it and cancels itself. Every outcome is written to the
incident's timeline (a lead's history, for a lead's triage rung), so a message that never
arrived is never silent (C24). A lead's rung is cancelled at send time once the lead is handled.
"""
import enum
import re
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from incidents.models import Escalation, EscalationNotice, Event
from organisation.models import Person, Unit
from incidents.timeline import record_event
from intake import triage as lead_triage
from intake.actions import lead_page_url
from intake.models import LeadTriage
from opinion_ops.redaction import redact

from .acknowledgement import ack_url
from .channels.base import TransportError
from .channels.registry import build_channel
from .message import Message
from .models import ChannelConfig, ChannelKind, Delivery, Notification, PersonChannel

logger = logging.getLogger(__name__)

Status = Delivery.Status
STOPPED_LADDER = (Escalation.State.ACKNOWLEDGED, Escalation.State.RESOLVED)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_attempts() -> int:
    return _setting("NOTIFICATION_MAX_ATTEMPTS", 5)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after the 1st, 2nd, 3rd … failed attempt, capped."""
    base = _setting("NOTIFICATION_RETRY_BASE_SECONDS", 30)
    cap = _setting("NOTIFICATION_RETRY_MAX_SECONDS", 1800)
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# ---------------------------------------------------------------- queueing the copies

def plan_deliveries(notification: Notification, people: list[Person],
                    units: list[Unit]) -> list[Delivery]:
    """Create every copy of a notification and queue the ones to send now.

    Per person: the inbox first, then each enabled channel in priority order (fallback channels
    held back); then one copy per enabled group channel of the addressed units. Runs in the
    caller's transaction; tasks are queued when it commits.
    """
    now = timezone.now()
    rows = []
    for person in people:
        rows.append(Delivery(
            notification=notification, person=person, channel_kind=ChannelKind.INBOX,
            recipient_label=person.name, rank=0, created_at=now, next_attempt_at=now,
            idempotency_key=f"notification:{notification.pk}:person:{person.pk}:inbox"))
        channels = (PersonChannel.objects.filter(person=person, enabled=True)
                    .select_related("account").order_by("priority", "id"))
        for rank, channel in enumerate(channels, start=1):
            address = channel.recipient()
            rows.append(Delivery(
                notification=notification, person=person, channel_kind=channel.kind,
                person_channel=channel, rank=rank, created_at=now,
                status=Status.HELD if channel.fallback else Status.QUEUED,
                next_attempt_at=None if channel.fallback else now,
                recipient_label=f"{person.name} {address}" if address else person.name,
                idempotency_key=(f"notification:{notification.pk}:person:{person.pk}"
                                 f":channel:{channel.pk}")))
    configs = (ChannelConfig.objects.filter(enabled=True, unit__in=units)
               .select_related("unit").order_by("unit__name", "id"))
    for config in configs:
        rows.append(Delivery(
            notification=notification, unit=config.unit, channel_kind=config.kind,
            channel_config=config, created_at=now, next_attempt_at=now,
            recipient_label=f"{config.name}（{config.unit.name}）",
            idempotency_key=f"notification:{notification.pk}:config:{config.pk}"))
    for row in rows:
        row.save()
        if row.status == Status.QUEUED:
            enqueue(row)
    return rows


def enqueue(delivery: Delivery, countdown: float | None = None) -> None:
    """Queue an attempt after commit; a lost task is recovered by the sweep."""
    delivery_id, token = delivery.pk, str(delivery.attempt_token)

    def send():
        from .tasks import attempt_delivery

        try:
            attempt_delivery.apply_async((delivery_id, token), countdown=countdown, retry=False)
        except BrokerError:
            logger.warning("could not queue delivery %s; the sweep will send it", delivery_id,
                           exc_info=True)

    transaction.on_commit(send)


# ---------------------------------------------------------------- attempting one

class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    CANCELLED = "cancelled"
    STALE = "stale"


def attempt(delivery_id: int, token: str, *, now: datetime | None = None) -> Outcome:
    """Send one copy once: claim it, re-check the ladder under lock, send, record."""
    now = now or timezone.now()
    claim = uuid.uuid4()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Status.QUEUED, attempt_token=token, next_attempt_at__lte=now,
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now,
             attempt_token=claim)
    if claimed != 1:
        return Outcome.STALE
    accepted = []  # the channel's answer, once it took the message
    try:
        return _attempt_claimed(delivery_id, now, accepted)
    except DatabaseError:
        # Rolled back (or its commit unconfirmed): the copy is still "sending". Not sent yet:
        # the lease reclaims it. Sent: record it now, or it would be sent twice.
        if not accepted:
            raise
        return _record_sent_after_outage(delivery_id, claim, now, accepted[0])


def _attempt_claimed(delivery_id: int, now: datetime, accepted: list) -> Outcome:
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(of=("self",))
                    .select_related("person__user", "person_channel__account", "channel_config")
                    .get(pk=delivery_id))
        if delivery.status != Status.SENDING:
            return Outcome.STALE
        notification = (Notification.objects.select_related("incident", "lead", "escalation")
                        .get(pk=delivery.notification_id))
        if _ladder_stopped(notification):
            _settle(delivery, Status.CANCELLED, note=_("升级已确认或义务已履行，不再发送"))
            _record(delivery, notification, _("已取消：升级已确认或义务已履行"))
            return Outcome.CANCELLED
        try:
            channel = build_channel(delivery.channel_kind, _config(delivery))
            result = channel.send(message_for(delivery, notification, now), _recipient(delivery),
                                  delivery.idempotency_key)
        except ValidationError as exc:
            return give_up(delivery, notification, _("渠道配置无效：%s") % "; ".join(exc.messages),
                           permanent=True)
        except TransportError as exc:
            if exc.permanent or delivery.attempts >= max_attempts():
                return give_up(delivery, notification, str(exc), permanent=exc.permanent,
                               response=exc.response)
            return _retry_later(delivery, notification, now, exc)
        except DatabaseError:
            raise  # the transaction is broken: rolled back, and attempt() decides
        except Exception as exc:  # a channel's bug must not leave the copy "sending"
            logger.exception("delivery %s: channel %s failed", delivery.pk, delivery.channel_kind)
            return give_up(delivery, notification, redact(f"{type(exc).__name__}: {exc}")[:500],
                           permanent=True)
        accepted.append(result)
        return _sent(delivery, notification, now, result)


def _sent(delivery: Delivery, notification: Notification, now: datetime, result) -> Outcome:
    _settle(delivery, Status.SENT, sent_at=now, provider_response=result.response,
            provider_id=result.provider_id or "", last_error="")
    _record(delivery, notification, _("已发送（第 %(n)s 次尝试）") % {"n": delivery.attempts})
    _skip_fallbacks(delivery)
    return Outcome.SENT


def _record_sent_after_outage(delivery_id: int, claim: uuid.UUID, now: datetime,
                              result) -> Outcome:
    """Record a send the channel accepted when the database failed right after (a PostgreSQL
    restart mid-send). Left "sending", the copy would be reclaimed after its lease and sent
    again (issue 16: the doubled webhook after a restart), so the outcome is written again in
    a new transaction, for up to half the lease, while this attempt's claim still holds (status
    and claim token unchanged: not reclaimed meanwhile; a commit that did land leaves it
    "sent", so nothing is written twice). Past that, the lease decides."""
    lease = _setting("NOTIFICATION_SENDING_LEASE_SECONDS", 300)
    give_up_at = time.monotonic() + lease / 2
    pause = 0.5
    while True:
        try:
            with transaction.atomic():
                delivery = (Delivery.objects.select_for_update(of=("self",))
                            .select_related("person__user").filter(
                                pk=delivery_id, status=Status.SENDING, attempt_token=claim)
                            .first())
                if delivery is None:
                    return Outcome.STALE
                notification = (Notification.objects.select_related("incident", "lead")
                                .get(pk=delivery.notification_id))
                outcome = _sent(delivery, notification, now, result)
            logger.warning("delivery %s: sent, recorded after a database failure", delivery_id)
            return outcome
        except DatabaseError:
            if time.monotonic() + pause > give_up_at:
                raise
            logger.warning("delivery %s: sent, not yet recorded (database unavailable)",
                           delivery_id, exc_info=True)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def give_up(delivery: Delivery, notification: Notification, error: str, *,
            permanent: bool, response: str | None = None) -> Outcome:
    """Mark a copy failed for good, say so on the timeline, and try the person's next channel."""
    _settle(delivery, Status.FAILED, last_error=error, provider_response=response or "")
    why = _("永久性错误") if permanent else _("已重试 %(n)s 次") % {"n": delivery.attempts}
    _record(delivery, notification, _("发送失败，已放弃（%(why)s）：%(error)s") % {
        "why": why, "error": error}, error=error)
    source = delivery.person_channel or delivery.channel_config
    if permanent and source is not None:
        type(source).objects.filter(pk=source.pk).update(last_error=redact(error)[:2000])
    _release_fallback(delivery, notification)
    return Outcome.FAILED


def _retry_later(delivery, notification, now, exc: TransportError) -> Outcome:
    wait = backoff(delivery.attempts)
    delivery.attempt_token = uuid.uuid4()
    _settle(delivery, Status.QUEUED, next_attempt_at=now + wait, last_error=str(exc),
            attempt_token=delivery.attempt_token, provider_response=exc.response or "")
    _record(delivery, notification, _("发送失败，将于 %(at)s 重试（第 %(n)s/%(max)s 次）：%(error)s") % {
        "at": timezone.localtime(now + wait).strftime("%H:%M:%S"), "n": delivery.attempts,
        "max": max_attempts(), "error": exc}, error=str(exc))
    enqueue(delivery, countdown=wait.total_seconds())
    return Outcome.RETRY


def _ladder_stopped(notification: Notification) -> bool:
    """Read the escalation's state under a share lock, so an acknowledgement cannot commit while
    this copy is being sent, and one that already committed is seen. A lead's rung stops once
    the lead is handled (its triage window met)."""
    if notification.lead_id is not None:
        return LeadTriage.objects.filter(lead_id=notification.lead_id,
                                         met_at__isnull=False).exists()
    if notification.escalation_id is None:
        return False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT state FROM {Escalation._meta.db_table} WHERE id = %s "
                           "FOR SHARE", [notification.escalation_id])
            state = cursor.fetchone()[0]
    else:
        state = Escalation.objects.values_list("state", flat=True).get(
            pk=notification.escalation_id)
    return state in STOPPED_LADDER


# Free text on a delivery row, readable by every logged-in user: redacted before it is stored.
STORED_TEXT = ("last_error", "provider_response", "note")


def _settle(delivery: Delivery, status: str, **fields) -> None:
    delivery.status = status
    for name, value in fields.items():
        setattr(delivery, name, redact(value) if name in STORED_TEXT else value)
    delivery.save(update_fields=["status", *fields, "updated_at"])


def _config(delivery: Delivery) -> dict:
    if delivery.person_channel_id:
        return delivery.person_channel.effective_config
    if delivery.channel_config_id:
        return delivery.channel_config.effective_config
    return {}


def _recipient(delivery: Delivery) -> str | None:
    if delivery.channel_kind == ChannelKind.INBOX:
        return str(delivery.person_id)
    if delivery.person_channel_id:
        return delivery.person_channel.recipient()
    return None


def _skip_fallbacks(delivery: Delivery) -> None:
    """The person was reached: their held fallback channels are not needed for this message."""
    if delivery.person_id is None or delivery.channel_kind == ChannelKind.INBOX:
        return
    Delivery.objects.filter(notification_id=delivery.notification_id, person_id=delivery.person_id,
                            status=Status.HELD).update(
        status=Status.CANCELLED, note=_("已由其他渠道送达"), updated_at=timezone.now())


def _release_fallback(delivery: Delivery, notification: Notification) -> None:
    """Queue the person's next held channel, unless another channel already reached them."""
    if delivery.person_id is None:
        return
    mine = Delivery.objects.filter(notification=notification, person_id=delivery.person_id)
    if mine.filter(status=Status.SENT).exclude(channel_kind=ChannelKind.INBOX).exists():
        return
    for held in mine.filter(status=Status.HELD).order_by("rank", "id"):
        now = timezone.now()
        if Delivery.objects.filter(pk=held.pk, status=Status.HELD).update(
                status=Status.QUEUED, next_attempt_at=now, updated_at=now) == 1:
            held.refresh_from_db()
            _record(held, notification, _("前序渠道失败，启用备用渠道"))
            enqueue(held)
            return


# Phone numbers and e-mail addresses: the timeline is read by everyone who sees the incident,
# the delivery log (with addresses, for the office only) is where they belong.
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|\+?\d[\d -]{6,}\d")


def _without_addresses(text: str) -> str:
    return ADDRESS.sub("***", text)


def _record(delivery: Delivery, notification: Notification, outcome: str,
            error: str = "") -> None:
    who = delivery.person.name if delivery.person_id else delivery.recipient_label
    if notification.incident_id is None:
        lead_triage.record_notice(notification.lead_id, _without_addresses(
            f"{delivery.get_channel_kind_display()} → {who}：{outcome}"), notification.clause)
        return
    record_event(
        notification.incident, Event.NOTIFICATION, None, clause=notification.clause,
        recipient=who[:200],
        note=_without_addresses(f"{delivery.get_channel_kind_display()} → {who}：{outcome}"),
        data={"delivery": delivery.pk, "notification": notification.pk,
              "channel_kind": delivery.channel_kind, "status": delivery.status,
              "attempt": delivery.attempts, "level": notification.level,
              "error": _without_addresses(error)})


# ---------------------------------------------------------------- what a copy says

OVERDUE_REASONS = (Notification.Reason.ESCALATION, Notification.Reason.LEAD_TRIAGE)


def message_for(delivery: Delivery, notification: Notification, now: datetime) -> Message:
    overdue = 0
    if notification.reason in OVERDUE_REASONS:
        overdue = max(0, int((now - notification.due_at).total_seconds() // 60))
    wants_link = notification.asks_ack and delivery.channel_kind != ChannelKind.INBOX
    if notification.incident_id is None:
        lead = notification.lead
        subject = (_("线索 #%s") % lead.pk, lead.title, lead_page_url(lead))
    else:
        incident = notification.incident
        subject = (f"#{incident.pk}", incident.title,
                   f"{settings.SITE_URL}{reverse('incident-detail', args=[incident.pk])}")
    return Message(
        title=notification.title, incident_id=subject[0], incident_title=subject[1],
        deadline_label=notification.label, due_at=notification.due_at, overdue_minutes=overdue,
        clause=notification.clause, escalation_level=notification.level,
        action_url=subject[2],
        ack_url=ack_url(notification, delivery.person) if wants_link else None,
        body=notification.body)


# ---------------------------------------------------------------- stopping and sweeping

def cancel_for_escalation(escalation_id: int) -> int:
    """Acknowledged: every copy of the ladder not yet under way is cancelled, in one UPDATE."""
    now = timezone.now()
    with transaction.atomic():
        cancelled = Delivery.objects.filter(
            notification__escalation_id=escalation_id, status__in=[Status.QUEUED, Status.HELD],
        ).update(status=Status.CANCELLED, note=_("升级已确认"), updated_at=now)
        if cancelled:
            escalation = Escalation.objects.select_related("deadline__incident").get(
                pk=escalation_id)
            deadline = escalation.deadline
            record_event(deadline.incident, Event.NOTIFICATION, None, clause=deadline.clause,
                         note=_("升级已确认，取消 %(n)s 条尚未发送的通知") % {"n": cancelled},
                         data={"escalation": escalation_id, "cancelled": cancelled,
                               "status": Status.CANCELLED})
    return cancelled


@dataclass
class SweepReport:
    planned: list[int] = field(default_factory=list)
    reclaimed: list[int] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)


def sweep(now: datetime | None = None, batch: int | None = None) -> SweepReport:
    """The safety net for lost work: rungs whose deliveries were never planned, sends whose
    worker died, and queued copies whose task (ETA or retry) never ran."""
    now = now or timezone.now()
    batch = batch or _setting("NOTIFICATION_SWEEP_BATCH", 200)
    grace = timedelta(seconds=_setting("NOTIFICATION_SWEEP_GRACE_SECONDS", 60))
    report = SweepReport()
    report.planned = _plan_orphans(now, grace, batch)
    lease = timedelta(seconds=_setting("NOTIFICATION_SENDING_LEASE_SECONDS", 300))
    report.reclaimed = _reclaim(now, lease, batch)
    report.queued = _requeue_lost(now, grace, batch)
    return report


ORPHAN_CHUNK = 20


def _plan_orphans(now: datetime, grace: timedelta, batch: int) -> list[int]:
    """Plan the rungs whose planning task was lost, a chunk at a time, each chunk's rungs
    locked while they are planned (SKIP LOCKED). Planning 200 rungs outlasts the sweep
    interval, so sweeps overlap on the deliveries worker's threads: they take different rungs
    instead of all planning the same ones (issue 16), and a chunk's sends are queued when it
    commits, not when the whole batch is done. A rung its own task planned meanwhile is
    skipped (one notification per rung, by key) and not counted."""
    from .dispatch import notice_created

    planned, seen = [], 0
    while seen < batch:
        with transaction.atomic():
            chunk = list(EscalationNotice.objects.select_for_update(
                of=("self",), skip_locked=True, no_key=True)
                         .filter(notification__isnull=True, created_at__lte=now - grace)
                         .order_by("created_at", "pk")
                         .values_list("pk", flat=True)[:min(ORPHAN_CHUNK, batch - seen)])
            for notice_id in chunk:
                if notice_created(notice_id) is not None:
                    planned.append(notice_id)
        if len(chunk) < ORPHAN_CHUNK:
            return planned
        seen += len(chunk)
    return planned


def _requeue_lost(now: datetime, grace: timedelta, batch: int) -> list[int]:
    """Queue again the copies whose task never ran, in three queries whatever the batch.

    Their due time moves to now as they are queued, so the next sweeps leave them to the task
    just queued for another grace period: without that, every sweep queued the whole backlog
    again while the worker was still working through it (issue 16). The rows are locked
    (skipping those another sweep holds), so two sweeps at once queue each copy once. The token
    is unchanged: whichever of the old and new tasks comes first claims the copy, the other
    finds it claimed (attempt()).
    """
    with transaction.atomic():
        due = list(Delivery.objects.select_for_update(skip_locked=True)
                   .filter(status=Status.QUEUED, next_attempt_at__lte=now - grace)
                   .order_by("next_attempt_at").values_list("pk", "attempt_token")[:batch])
        if not due:
            return []
        Delivery.objects.filter(pk__in=[pk for pk, _token in due]).update(
            next_attempt_at=now, updated_at=now)
        for pk, token in due:
            enqueue(Delivery(pk=pk, attempt_token=token))
    return [pk for pk, _token in due]


def _reclaim(now: datetime, lease: timedelta, batch: int) -> list[int]:
    """Sends that outlived their lease: their worker died. Queue them again, in constant
    queries per batch; a copy out of attempts is given up, one by one (each says so on its
    timeline). A send still under way holds its row (attempt()), so it is skipped, not taken.

    The token stays the one the dead worker's claim drew: no task was ever given it (the task
    it ran, redelivered, carries the token from before the claim), so the task queued here is
    the only one that can claim the copy."""
    with transaction.atomic():
        stuck = list(Delivery.objects.select_for_update(skip_locked=True)
                     .filter(status=Status.SENDING, claimed_at__lte=now - lease)
                     .order_by("claimed_at").values_list("pk", "attempt_token", "attempts")
                     [:batch])
        if not stuck:
            return []
        Delivery.objects.filter(pk__in=[pk for pk, _t, _a in stuck]).update(
            status=Status.QUEUED, next_attempt_at=now, last_error=_("发送进程中断"),
            updated_at=now)
        limit = max_attempts()
        for pk, token, attempts in stuck:
            if attempts < limit:
                enqueue(Delivery(pk=pk, attempt_token=token))
        exhausted = [pk for pk, _t, attempts in stuck if attempts >= limit]
        if exhausted:
            for delivery in (Delivery.objects.filter(pk__in=exhausted)
                             .select_related("notification__incident")):
                give_up(delivery, delivery.notification, _("发送进程中断"), permanent=False)
    return [pk for pk, _t, _a in stuck]
