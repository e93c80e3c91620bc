"""A push received: from a robot protocol or the API to leads, once each (C06).

    receive_robot_push(kind, Request(token, query, body))  → the provider-shaped reply
    ingest(source, items)                                  → the leads it made or saw again

Every push with a known source is a Push row (accepted, duplicate or refused, with the error),
and every push, known or not, a log line; both redacted. A refused push stores no lead. A lead
is created once per normalised URL (a unique index holds it across concurrent pushes) or
near-duplicate title within the window; a repeat updates the lead it repeats.
"""
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from opinion_ops.errors import ActionError
from opinion_ops.rate_limits import over_limit
from opinion_ops.redaction import redact, redact_data

from . import actions, heat, triage
from .dedup import Seen, title_key
from .links import Item, url_key
from .models import IntakeSource, Lead, LeadEntry, Push
from .protocols import PROTOCOLS, Refusal
from .protocols.base import Request
from .watching import WatchList, officer_on_duty

logger = logging.getLogger(__name__)
PUSH_BODY_KEPT = 8000
EMPTY = {"dingtalk": Refusal(40035, "缺少参数 content"),
         "wecom": Refusal(44004, "Warning: empty content"),
         "feishu": Refusal(19002, "params error, content is empty")}


@dataclass
class Ingested:
    push: Push
    created: list[Lead] = field(default_factory=list)
    seen_again: list[int] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    # The watch list the push was matched against: the rules that open incidents on their own
    # are read from it, not queried again per lead.
    watch: WatchList | None = None


@dataclass
class Reply:
    body: dict
    status: int
    ingested: Ingested | None = None
    retry_after: int | None = None  # seconds, when refused over the rate limit


def _body_text(body) -> str:
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body[:PUSH_BODY_KEPT * 4]).decode("utf-8", "replace")
    elif not isinstance(body, str):
        body = json.dumps(body, ensure_ascii=False, default=str)
    return redact(body)[:PUSH_BODY_KEPT]


def log_refusal(source: IntakeSource | None, kind: str, code, message: str, body,
                remote_addr: str = "") -> None:
    """A refused push: a log line always; a Push row when the source is known (an unknown
    token has no source to show it on, and storing what strangers send would be a way to fill
    the database)."""
    logger.warning("intake push refused: kind=%s source=%s code=%s error=%s from=%s", kind,
                   source.pk if source else "unknown", code, redact(message), remote_addr)
    if source is not None:
        Push.objects.create(source=source, kind=kind, outcome=Push.Outcome.REFUSED,
                            error_code=str(code), error=redact(message)[:300],
                            body=_body_text(body), remote_addr=remote_addr[:64])


def receive_robot_push(kind: str, request: Request, *, remote_addr: str = "",
                       now: datetime | None = None) -> Reply:
    """C06: a robot-protocol push → leads, answered in the provider's shape."""
    protocol = PROTOCOLS[kind]
    now = now or timezone.now()
    source = (IntakeSource.objects.filter(kind=kind, token=request.token, active=True)
              .select_related("unit").first() if request.token else None)
    try:
        if source is None:
            raise protocol.bad_token
        payload = protocol.read_json(request.body)
        if source.secret:
            protocol.verify(source.secret, request, payload, now)
        # Counted once the sender is known to be the source's (token and signature), so a
        # stranger holding the URL cannot use up the real sender's pushes.
        wait = push_rate_exceeded(source)
        if wait is not None:
            raise protocol.rate_limited(settings.INTAKE_RATE_LIMIT, wait)
        items = protocol.items(payload)
        if not items:
            raise EMPTY[kind]
    except Refusal as refusal:
        log_refusal(source, kind, refusal.code, refusal.message, request.body, remote_addr)
        return Reply(*protocol.failure(refusal), retry_after=refusal.retry_after)
    ingested = ingest(source, items, body=request.body, remote_addr=remote_addr, now=now)
    return Reply(*protocol.success(), ingested=ingested)


def push_rate_exceeded(source: IntakeSource) -> int | None:
    """None while the source is within INTAKE_RATE_LIMIT pushes a minute (0: no limit), else
    the seconds until it may push again. Robots and the API count alike, per source."""
    return over_limit("intake-source", str(source.pk), limit=settings.INTAKE_RATE_LIMIT)


def refuse_oversized(kind: str, token: str, size: int, *, remote_addr: str = "") -> Reply:
    """A push whose declared length is over the provider's limit, refused unread."""
    protocol = PROTOCOLS[kind]
    source = IntakeSource.objects.filter(kind=kind, token=token, active=True).first() \
        if token else None
    refusal = protocol.too_large if source is not None else protocol.bad_token
    log_refusal(source, kind, refusal.code, refusal.message, f"({size} bytes, not read)",
                remote_addr)
    return Reply(*protocol.failure(refusal))


def ingest(source: IntakeSource, items: list[Item], *, body, remote_addr: str = "",
           now: datetime | None = None) -> Ingested:
    """C06: the items of one push become leads of the unit whose watch list they match (or the
    source's unit), owned by its officer on duty, each with its triage window opened."""
    now = now or timezone.now()
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                result = _ingest(source, items, body, remote_addr, now)
            break
        except IntegrityError:
            # A concurrent push created one of these URLs first; the second try sees it.
            if attempt == 2:
                raise
    logger.info("intake push accepted: kind=%s source=%s leads=%s repeats=%s from=%s",
                source.kind, source.pk, len(result.created), len(result.seen_again), remote_addr)
    _open_by_rule(result)
    return result


def _ingest(source, items, body, remote_addr, now) -> Ingested:
    push = Push.objects.create(source=source, kind=source.kind, outcome=Push.Outcome.ACCEPTED,
                               received_at=now, body=_body_text(body),
                               remote_addr=remote_addr[:64])
    result = Ingested(push)
    keyed = [(item, url_key(item.url), title_key(item.title)) for item in items]
    seen, watch, on_duty = Seen([k for _i, k, _t in keyed], now), WatchList(), {}
    result.watch = watch
    fresh, repeats = [], []
    for item, ukey, tkey in keyed:
        repeated = seen.match(ukey, tkey)
        if repeated is not None:
            repeats.append((item, repeated))
            continue
        lead = _new_lead(source, push, item, ukey, tkey, watch, on_duty, now)
        fresh.append((item, lead))
        seen.add(lead)
    result.created = Lead.objects.bulk_create([lead for _item, lead in fresh])
    LeadEntry.objects.bulk_create([
        LeadEntry(lead=lead, recorded_at=now, event=LeadEntry.Event.RECEIVED,
                  actor_name=source.name, clause="C06",
                  note=redact(f"{source.get_kind_display()}：{lead.url or lead.title}"))
        for lead in result.created])
    triage.open_triage(result.created, now)
    for item, lead in fresh:
        if item.metrics is not None:
            heat.take_sample(lead, item.metrics, now)
    result.seen_again = _seen_again(repeats, now)
    if not result.created and result.seen_again:
        push.outcome = Push.Outcome.DUPLICATE
    push.leads_created, push.leads_seen_again = len(result.created), len(result.seen_again)
    push.save(update_fields=["outcome", "leads_created", "leads_seen_again"])
    return result


def _new_lead(source, push, item: Item, ukey, tkey, watch, on_duty, now) -> Lead:
    matches = watch.matches(f"{item.title}\n{item.excerpt}")
    unit = matches[0].rule.unit if matches else source.unit
    if unit.pk not in on_duty:
        on_duty[unit.pk] = officer_on_duty(unit, now)
    return Lead(source=source, push=push, received_at=now, last_seen_at=now,
                title=item.title[:300], url=item.url[:1000], url_key=ukey, title_key=tkey,
                platform=item.platform[:60], author=item.author[:120],
                published_at=item.published_at, excerpt=item.excerpt,
                raw=redact_data(item.raw or {"title": item.title, "url": item.url,
                                             "excerpt": item.excerpt}),
                unit=unit, assignee=on_duty[unit.pk],
                matched=[m.as_record() for m in matches],
                sensitive_topic=any(m.rule.sensitive_topic for m in matches))


def _seen_again(repeats, now) -> list[int]:
    ids = list(dict.fromkeys(lead_id if isinstance(lead_id, int) else lead_id.pk
                             for _item, lead_id in repeats))
    if not ids:
        return []
    Lead.objects.filter(pk__in=ids).update(times_seen=F("times_seen") + 1, last_seen_at=now)
    for item, lead_id in repeats:
        if item.metrics is None or not isinstance(lead_id, int):
            continue
        lead = Lead.objects.select_related("incident").get(pk=lead_id)
        heat.take_sample(lead, item.metrics, now)
        heat.feed_incident(lead, None)
    return ids


def _open_by_rule(result: Ingested) -> None:
    """A watch-list rule that opens incidents on its own does so for its new leads, as the
    system; a refusal (no office unit, no plan) leaves the lead for the duty officer."""
    rules = {rule.pk: rule for rule in result.watch.rules if rule.opens_incident} \
        if result.watch else {}
    for lead in result.created:
        opening = [rules[m["rule"]] for m in lead.matched if m["rule"] in rules]
        if not opening:
            continue
        try:
            actions.open_incident(lead, None, urgent=any(r.urgent for r in opening))
            result.opened.append(lead.pk)
        except ActionError:
            logger.warning("watch-list rule could not open an incident from lead %s", lead.pk,
                           exc_info=True)

