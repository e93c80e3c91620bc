"""Create the demo office, its logins and a dozen incidents in every state (incidents.demo)."""
from django.conf import settings
from django.core.management.base import BaseCommand

from opinion_ops import demo


class Command(BaseCommand):
    help = ("Seed a demo education bureau with one login per role and incidents in every "
            "state. Safe to run twice: an existing demo is left as it is.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--urgent", action="store_true",
            help="also add a new urgent incident discovered 28 minutes ago, so its 30-minute "
                 "verbal-report deadline (C02) is missed and escalates within two minutes")

    def handle(self, *args, **options):
        if demo.already_seeded():
            self.stdout.write(self.style.WARNING(
                "Demo data already present (found the demo office); nothing duplicated."))
        else:
            demo.seed()
            self.stdout.write(self.style.SUCCESS(
                "Demo office seeded: 7 units, 9 people, 15 incidents in every state."))
            self.stdout.write(f"  Urgent incident “{demo.URGENT_TITLE}” was discovered 28 minutes "
                              "ago: its verbal report (C02, 30 min) falls due in about 2 minutes "
                              "and escalates if nobody records it.")
        if options["urgent"]:
            incident = demo.add_urgent_incident()
            self.stdout.write(self.style.SUCCESS(
                f"Added urgent incident #{incident.pk}: verbal report due in about 2 minutes."))
        self._print_hints()

    def _print_hints(self):
        site = settings.SITE_URL
        self.stdout.write("")
        self.stdout.write(f"Open {site}/ (incident pages), {site}/admin/ (admin), "
                          f"{site}/api/docs/ (API).")
        self.stdout.write("demo logins (role, username, password):")
        for role, username, password in demo.logins():
            self.stdout.write(f"  {role:<36} {username:<14} {password}")
