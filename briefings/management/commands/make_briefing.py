"""python manage.py make_briefing --kind written_report --incident 12 -o report.pdf

Numbers, renders and stores the briefing like the API does (synchronously, without a worker)
and writes a copy of the PDF to the output path.
"""
import os
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from briefings import generation
from briefings.models import Briefing
from opinion_ops.errors import ActionError
from incidents.models import Incident


class Command(BaseCommand):
    help = "Generate a briefing PDF (written_report, follow_up, bulletin, summary, audit)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, help=", ".join(Briefing.Kind.values))
        parser.add_argument("--incident", type=int, help="incident id")
        parser.add_argument("--from", dest="period_from", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="period_to", help="last day, YYYY-MM-DD")
        parser.add_argument("--follow-up-number", type=int, help="N of 第N次续报")
        parser.add_argument("--lang", choices=["zh-hans", "en"], help="document language")
        parser.add_argument("-o", "--output", required=True, help="where to write the PDF")

    def handle(self, *args, kind, incident, period_from, period_to, follow_up_number, lang,
               output, **options):
        if kind not in Briefing.Kind.values:
            raise CommandError(f"unknown kind {kind!r}; choose one of {', '.join(Briefing.Kind.values)}")
        subject = None
        if incident is not None:
            subject = Incident.objects.filter(pk=incident).first()
            if subject is None:
                raise CommandError(f"incident {incident} does not exist")
        _check_writable(output)
        try:
            briefing = generation.request_briefing(
                kind, None, incident=subject, period_from=_day(period_from, "--from"),
                period_to=_day(period_to, "--to"), language=lang,
                follow_up_number=follow_up_number, enqueue=False)
        except ActionError as exc:
            raise CommandError(str(exc)) from exc
        briefing = generation.generate_briefing(briefing.pk)
        if not briefing.is_ready:
            raise CommandError(f"rendering failed: {briefing.error}")
        try:
            with briefing.file.open("rb") as source, open(output, "wb") as target:
                target.write(source.read())
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from exc
        self.stdout.write(f"{briefing.document_number} {briefing.kind} {briefing.pages} pages "
                          f"sha256 {briefing.sha256[:12]} -> {output}")


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option} must be a date like 2026-03-01, not {value!r}") from exc


def _check_writable(path: str) -> None:
    """Refuse before a document number is used, not after."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CommandError(f"cannot write {path}: it is a directory")
    if not os.path.isdir(folder):
        raise CommandError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(path if os.path.exists(path) else folder, os.W_OK):
        raise CommandError(f"cannot write {path}: permission denied")
