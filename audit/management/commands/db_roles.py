"""`manage.py db_roles [--app-role NAME] [--owner-role NAME]`: create the two PostgreSQL roles
of C24 and grant them (idempotent; run as a superuser after every `migrate`).

Passwords come from the environment (OPINIONOPS_APP_DB_PASSWORD, OPINIONOPS_OWNER_DB_PASSWORD),
never from the command line, where `ps` would show them; a role without one cannot log in.
`--print` shows the SQL instead of running it."""
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit import dbroles


class Command(BaseCommand):
    help = "Create the PostgreSQL owner and application roles and their grants (C24)."

    def add_arguments(self, parser):
        parser.add_argument("--app-role", default=dbroles.DEFAULT_APP_ROLE)
        parser.add_argument("--owner-role", default=dbroles.DEFAULT_OWNER_ROLE)
        parser.add_argument("--print", action="store_true", dest="print_only",
                            help="print the SQL, change nothing")

    def handle(self, *args, app_role, owner_role, print_only=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("db_roles is for PostgreSQL; SQLite has no roles "
                               "(its triggers refuse UPDATE and DELETE on the record)")
        if app_role == owner_role:
            raise CommandError("--app-role and --owner-role must differ")
        kwargs = {"app_password": os.environ.get("OPINIONOPS_APP_DB_PASSWORD"),
                  "owner_password": os.environ.get("OPINIONOPS_OWNER_DB_PASSWORD")}
        if print_only:
            for statement in dbroles.statements(app_role, owner_role, **kwargs):
                self.stdout.write(statement.replace(kwargs["app_password"] or "\0", "***")
                                  .replace(kwargs["owner_password"] or "\0", "***") + ";")
            return
        with transaction.atomic():
            sql = dbroles.apply(app_role, owner_role, **kwargs)
        self.stdout.write(f"OK: {app_role} (SELECT, INSERT on {len(dbroles.RECORD_TABLES)} "
                          f"record tables), {owner_role} owns the schema; {len(sql)} statements")
