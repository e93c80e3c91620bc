"""`manage.py record_chain_heads`: what the periodic job does (C24), once."""
from django.core.management.base import BaseCommand

from audit.heads import record_heads


class Command(BaseCommand):
    help = "Record the head (length, hash) of every chain that moved since its last snapshot."

    def handle(self, *args, **options):
        self.stdout.write(f"{len(record_heads())} chain heads recorded")
