"""`manage.py verify_audit [--incident ID]`: check every hash chain of the record (C24).

Exits 0 when every chain holds; otherwise prints the first broken link of each broken chain
and exits 1, naming the first of them."""
from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify
from incidents.models import Incident


class Command(BaseCommand):
    help = "Verify the hash chains of incident records; non-zero exit names the first break."

    def add_arguments(self, parser):
        parser.add_argument("--incident", type=int, action="append", dest="incidents",
                            help="only this incident (may be repeated)")

    def handle(self, *args, incidents=None, **options):
        if incidents:
            unknown = set(incidents) - set(Incident.objects.filter(pk__in=incidents)
                                           .values_list("pk", flat=True))
            if unknown:
                raise CommandError(f"no incident {', '.join(map(str, sorted(unknown)))}")
        report = verify(incidents)
        for problem in report.breaks:
            self.stderr.write(f"BROKEN {problem}")
        if not report.ok:
            raise CommandError(f"{len(report.breaks)} of {report.chains} chains broken; "
                               f"first: {report.breaks[0]}")
        self.stdout.write(f"OK: {report.chains} chains, {report.links} entries verified")
