"""`manage.py push_robot_sample [--source NAME] [--url URL --secret SECRET]`: push a monitoring
digest to a DingTalk-kind intake URL over HTTP, signed and shaped exactly as a DingTalk robot
sender does (bin/demo-push). Without --url, the source's own URL (SITE_URL) and secret."""
from urllib.error import URLError

from django.core.management.base import BaseCommand, CommandError

from intake import demo, robot_push
from intake.models import IntakeSource, SourceKind
from intake.sources import intake_url


class Command(BaseCommand):
    help = "Push a signed DingTalk-robot markdown message with links to an intake URL."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=demo.DINGTALK_SOURCE,
                            help="Name of a DingTalk-kind source (default: the demo's)")
        parser.add_argument("--url", default="", help="Webhook URL (default: the source's)")
        parser.add_argument("--secret", default=None, help="Signing secret (default: the source's)")

    def handle(self, *args, source, url, secret, **options):
        if not url:
            found = IntakeSource.objects.filter(name=source, kind=SourceKind.DINGTALK).first()
            if found is None:
                raise CommandError(f"--source: no DingTalk source named {source!r}")
            url, secret = intake_url(found), found.secret if secret is None else secret
        try:
            answer = robot_push.push(url, secret or "", robot_push.markdown_message())
        except (URLError, OSError, ValueError) as exc:
            raise CommandError(f"--url: could not push to {url.split('?')[0]}: {exc}") from exc
        self.stdout.write(f"{url.split('?')[0]} answered {answer}")
        if answer.get("errcode") != 0:
            raise CommandError(f"refused: {answer}")
