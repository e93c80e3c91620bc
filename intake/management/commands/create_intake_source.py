"""`manage.py create_intake_source --kind dingtalk|wecom|feishu|api --name NAME --unit UNIT_ID
[--secret SECRET]`: register a monitoring source; the last line printed is its intake URL."""
from django.core.management.base import BaseCommand, CommandError

from intake.models import SourceKind
from intake.sources import api_token, create_source, intake_url
from opinion_ops.errors import InvalidInput


class Command(BaseCommand):
    help = "Register a monitoring source and print its intake URL (last line)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=SourceKind.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--unit", required=True, type=int, help="Unit id")
        parser.add_argument("--secret", default="", help="The robot's signing secret")

    def handle(self, *args, kind, name, unit, secret, **options):
        try:
            source = create_source(kind=kind, name=name, unit_id=unit, secret=secret)
        except InvalidInput as exc:
            raise CommandError("; ".join(f"--{k}: {v}" for k, v in exc.errors.items())) from exc
        self.stdout.write(f"Source {source.pk}: {source.name} ({source.kind}), unit {source.unit}")
        if kind == SourceKind.API:
            self.stdout.write(f"Authorization: Token {api_token(source)}")
        self.stdout.write(intake_url(source))
