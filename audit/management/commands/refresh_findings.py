"""`manage.py refresh_findings [--incident ID]`: recompute the accountability findings (C21)
from the record, for one incident or all."""
from django.core.management.base import BaseCommand

from audit.findings import refresh_findings


class Command(BaseCommand):
    help = "Recompute late, missed, recorded-late and concealed findings from the record."

    def add_arguments(self, parser):
        parser.add_argument("--incident", type=int, action="append", dest="incidents")

    def handle(self, *args, incidents=None, **options):
        count = refresh_findings(incidents)
        self.stdout.write(f"findings refreshed for {count} incidents")
