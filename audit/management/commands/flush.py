"""Django's `flush`, with the record tables' SQLite DELETE triggers told that this is a wipe of
the whole database (incidents.chain.whole_database_wipe), not a row removed behind the
application's back. On PostgreSQL flush truncates, which no row trigger sees, so nothing
changes there (and the application's role may not TRUNCATE the record tables at all)."""
from django.core.management.commands.flush import Command as FlushCommand

from incidents.chain import whole_database_wipe


class Command(FlushCommand):
    def handle(self, **options):
        with whole_database_wipe():
            return super().handle(**options)
