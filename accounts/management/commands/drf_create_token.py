"""`manage.py drf_create_token USERNAME [-r] [--name N] [--days D]`: a token for scripts.

The name and output of DRF's own command, kept so scripts and the README keep working; the
token is hashed at rest (accounts.models), so this is the only time its key is printed.
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import tokens

COMMAND_NAME = "command-line token"


class Command(BaseCommand):
    help = "Issue an API token for a user (printed once; stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("-r", "--reset", action="store_true",
                            help="revoke the user's earlier command-line tokens first")
        parser.add_argument("--name", default=COMMAND_NAME)
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, username, reset, name, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
        if reset:
            for token in user.api_tokens.filter(name=name, revoked_at__isnull=True):
                tokens.revoke(token, "replaced (drf_create_token -r)")
        issued = tokens.issue(user, name=name, days=days)
        self.stdout.write(f"Generated token {issued.key} for user {username} "
                          f"(expires {issued.token.expires_at:%Y-%m-%d})")
