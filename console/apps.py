from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """Each role's home page, the office's board, and the menu: what to do next, and by when."""

    name = "console"
    verbose_name = _("工作台")
