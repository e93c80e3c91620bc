"""Enumerations shared by plans, incidents and deadlines."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.choices import Severity  # noqa: F401  (the plan's scale, C08; named here too)


class Category(models.TextChoices):
    """Content category, which decides the handling (C10)."""

    INQUIRY = "inquiry", _("咨询、质疑、诉求类")  # C10a
    HYPE = "hype", _("恶意传播、炒作类")  # C10b
    FABRICATION = "fabrication", _("捏造、诬蔑、煽动、违法类")  # C10c
    CONSTRUCTIVE = "constructive", _("建设性意见类")  # C10d


class Stage(models.TextChoices):
    """Life stage of an incident (C07)."""

    LATENT = "latent", _("潜伏期")
    OUTBREAK = "outbreak", _("爆发期")
    PERSISTENT = "persistent", _("持续期")
    ENDING = "ending", _("终止期")


class Channel(models.TextChoices):
    """How a step was communicated (C24)."""

    PHONE = "phone", _("电话")
    WRITTEN = "written", _("书面")
    SYSTEM = "system", _("系统")
