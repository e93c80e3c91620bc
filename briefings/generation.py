"""The briefing verbs: request one, generate it (number, PDF, stored file), file it.

A document number (发文字号) is taken in the same transaction that stores the rendered file, so
a failed rendering gives its number back and the sequence of an issuing body has no gaps and no
duplicates: the ``DocumentSequence`` row is locked (``select_for_update``; on SQLite the
IMMEDIATE transaction takes the write lock) and bumped with ``F()``.
"""
import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents import actions
from opinion_ops.errors import ActionError, InvalidInput, NotPermitted
from incidents.models import Channel, Incident
from organisation.actors import acting_user

from .documents import audit, bulletin, follow_up, referral_slip, summary, written_report
from .documents.common import Request
from .documents.facts import incident_version, period_version
from .layout import render_document
from .models import Briefing, BriefingTemplate, DocumentSequence

logger = logging.getLogger(__name__)

Kind = Briefing.Kind

BUILDERS = {
    Kind.WRITTEN_REPORT: written_report.build,
    Kind.FOLLOW_UP: follow_up.build,
    Kind.BULLETIN: bulletin.build,
    Kind.SUMMARY: summary.build,
    Kind.AUDIT: audit.build,
    Kind.REFERRAL_SLIP: referral_slip.build,
}
NEEDS_INCIDENT = {Kind.WRITTEN_REPORT, Kind.FOLLOW_UP, Kind.SUMMARY, Kind.REFERRAL_SLIP}
MAX_PERIOD_DAYS = 366

# Filing a generated document is the plan step it stands for (C02, C05, C19).
FILING_ACTIONS = {
    Kind.WRITTEN_REPORT: actions.file_written_report,
    Kind.FOLLOW_UP: actions.file_follow_up_report,
    Kind.SUMMARY: actions.file_summary,
}


class BriefingConflict(ActionError):
    """The briefing is not in a state that allows the step (HTTP 409)."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    title: str


def can_generate(user) -> bool:
    return user is None or user.is_staff or user.has_perm("incidents.report_incident")


def request_briefing(kind: str, actor, *, incident: Incident | None = None,
                     period_from: date | None = None, period_to: date | None = None,
                     template: BriefingTemplate | None = None, language: str | None = None,
                     follow_up_number: int | None = None, enqueue: bool = True,
                     referral=None) -> Briefing:
    """Queue a briefing; a Celery task renders it once this transaction commits (unless the
    caller, like the make_briefing command, renders it itself with ``generate_briefing``)."""
    if not can_generate(actor):
        raise NotPermitted(_("您的角色无权生成书面文稿"))
    _check_subject(kind, incident, period_from, period_to)
    template = template or BriefingTemplate.default()
    with transaction.atomic():
        briefing = Briefing.objects.create(
            kind=kind, incident=incident, period_from=period_from, period_to=period_to,
            follow_up_number=follow_up_number if kind == Kind.FOLLOW_UP else None,
            referral=referral if kind == Kind.REFERRAL_SLIP else None,
            template=template, language=language or template.language,
            created_by=acting_user(actor))
        if enqueue:
            transaction.on_commit(lambda: _enqueue(briefing.pk))
    return briefing


def _check_subject(kind, incident, period_from, period_to) -> None:
    if kind not in Kind.values:
        raise InvalidInput({"kind": _("文稿类型无效：%s") % kind})
    if kind in NEEDS_INCIDENT and incident is None:
        raise InvalidInput({"incident": _("该类文稿须指定舆情事件")})
    if kind == Kind.BULLETIN or (kind == Kind.AUDIT and incident is None):
        if period_from is None or period_to is None:
            raise InvalidInput({"from": _("请指定起止日期")})
        if period_from > period_to:
            raise InvalidInput({"from": _("起始日期不能晚于截止日期")})
        if (period_to - period_from).days >= MAX_PERIOD_DAYS:
            raise InvalidInput({"to": _("统计期间不能超过 %s 天") % MAX_PERIOD_DAYS})


def _enqueue(briefing_id: int) -> None:
    from .tasks import generate_briefing_task

    try:
        generate_briefing_task.delay(briefing_id)
    except Exception:  # noqa: BLE001 - a broker outage leaves the row queued, not the request failed
        logger.warning("could not queue briefing %s; it stays queued", briefing_id, exc_info=True)


def generate_briefing(briefing_id: int) -> Briefing:
    """Render a queued briefing: number it, store the PDF with its hash, mark it ready.

    Runs once per row: a second delivery of the task finds the row no longer queued. A failure
    rolls back the number and the file, and is recorded on the row as ``failed``.
    """
    stored_name = None
    try:
        with transaction.atomic():
            briefing = (Briefing.objects.select_for_update(of=("self",))
                        .select_related("template", "incident").get(pk=briefing_id))
            if briefing.status != Briefing.Status.QUEUED:
                return briefing
            _render_into(briefing)
            stored_name = briefing.file.name
            return briefing
    except Exception as exc:  # noqa: BLE001 - recorded on the row for the requester to see
        logger.exception("briefing %s failed", briefing_id)
        if stored_name:
            Briefing._meta.get_field("file").storage.delete(stored_name)
        Briefing.objects.filter(pk=briefing_id, status=Briefing.Status.QUEUED).update(
            status=Briefing.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        return Briefing.objects.get(pk=briefing_id)


def _render_into(briefing: Briefing) -> None:
    template, now = briefing.template, timezone.now()
    issued_on = timezone.localdate(now)
    number = next_document_number(template.short_code, issued_on.year)
    request = Request(
        template=template, language=briefing.language, issued_on=issued_on, now=now,
        document_number=format_number(template.short_code, issued_on.year, number,
                                      briefing.language),
        incident=briefing.incident, period_from=briefing.period_from,
        period_to=briefing.period_to, follow_up_number=briefing.follow_up_number,
        referral=briefing.referral)
    briefing.data_version = (incident_version(briefing.incident) if briefing.incident
                             else period_version(briefing.period_from, briefing.period_to))
    if briefing.kind == Kind.FOLLOW_UP and briefing.follow_up_number is None:
        briefing.follow_up_number = follow_up.follow_up_number(briefing.incident)
        request.follow_up_number = briefing.follow_up_number
    rendered = render(briefing.kind, request)
    briefing.body_code, briefing.year, briefing.sequence_number = (
        template.short_code, issued_on.year, number)
    briefing.document_number, briefing.title = request.document_number, rendered.title[:500]
    briefing.pages, briefing.size = rendered.pages, len(rendered.pdf)
    briefing.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
    # The stored name is not guessable (the file is only ever served through the download
    # view, which asks the access policy); the reader gets download_name.
    briefing.file.save(f"{briefing.kind}-{secrets.token_urlsafe(24)}.pdf",
                       ContentFile(rendered.pdf), save=False)
    briefing.status, briefing.error, briefing.rendered_at = Briefing.Status.READY, "", now
    briefing.save()


def render(kind: str, request: Request) -> Rendered:
    """The PDF of one document kind, in the request's language; no database writes."""
    with translation.override(request.language):
        document = BUILDERS[kind](request)
        buffer = io.BytesIO()
        pages = render_document(document, buffer, labels=request.labels)
    return Rendered(buffer.getvalue(), pages, document.title)


def next_document_number(body_code: str, year: int) -> int:
    """Take the issuing body's next number for the year; call inside the transaction that
    uses it, so a rollback gives the number back."""
    sequence, _created = DocumentSequence.objects.select_for_update().get_or_create(
        body_code=body_code, year=year)
    DocumentSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
    sequence.refresh_from_db(fields=["last_number"])
    return sequence.last_number


def format_number(body_code: str, year: int, number: int, language: str = "zh-hans") -> str:
    """舆情办〔2026〕12号 (GB/T 9704 7.2.4: hexagonal brackets, no leading zeros)."""
    if language.startswith("en"):
        return f"{body_code} [{year}] No. {number}"
    return f"{body_code}〔{year}〕{number}号"


def file_briefing(briefing: Briefing, actor, *, recipient: str, note: str = "") -> Briefing:
    """Send a generated document up the chain: the plan step it stands for is done (C02 written
    report, C05 follow-up, C19 summary), on the incident's timeline with the briefing's id."""
    if not recipient:
        raise InvalidInput({"recipient": _("请填写报送对象")})
    with transaction.atomic():
        locked = Briefing.objects.select_for_update(of=("self",)).select_related("incident").get(pk=briefing.pk)
        file_step = FILING_ACTIONS.get(locked.kind)
        if file_step is None:
            raise InvalidInput({"kind": _("%s无需报送履行时限") % locked.get_kind_display()})
        if locked.status != Briefing.Status.READY:
            raise BriefingConflict(_("文稿尚未生成，不能报送"))
        if locked.filed_at is not None:
            raise BriefingConflict(_("该文稿已于 %s 报送") % timezone.localtime(locked.filed_at)
                                   .strftime("%Y-%m-%d %H:%M"))
        step = actions.Step(channel=Channel.WRITTEN, recipient=recipient,
                            note=note or f"{locked.document_number}《{locked.title}》")
        # file_follow_up_report does not take the briefing id (yet); its note names the number.
        extra = {} if locked.kind == Kind.FOLLOW_UP else {"briefing_id": locked.pk}
        file_step(locked.incident, actor, step, **extra)
        locked.filed_by = acting_user(actor)
        locked.filed_at, locked.filed_to = timezone.now(), recipient
        locked.save(update_fields=["filed_by", "filed_at", "filed_to"])
        return locked
