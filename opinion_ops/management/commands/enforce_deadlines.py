"""Sweep due deadlines from the command line: once (cron, tests) or in a loop (no beat)."""
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from incidents import sweep
from notifications import ladder


class Command(BaseCommand):
    help = "Breach due deadlines, send warnings and climb escalation ladders."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--once", action="store_true", help="run one sweep and exit")
        mode.add_argument("--loop", action="store_true", help="sweep until interrupted")
        parser.add_argument("--interval", type=float, default=settings.DEADLINE_SWEEP_INTERVAL,
                            help="seconds between sweeps with --loop")

    def handle(self, *args, **options):
        if options["interval"] <= 0:
            raise CommandError("--interval must be positive")
        if options["once"]:
            self._sweep_and_print()
            return
        try:
            while True:
                self._sweep_and_print(quiet_when_idle=True)
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("stopped")

    def _sweep_and_print(self, quiet_when_idle=False):
        report = sweep.sweep()
        climbed = ladder.climb_due()
        if report or climbed or not quiet_when_idle:
            self.stdout.write(f"breached={len(report.breached)} warned={len(report.warned)} "
                              f"climbed={len(climbed)}")
