from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "API tokens"

    def ready(self):
        from . import signals  # noqa: F401  (a password change ends the user's tokens)
