"""The triage window of an untouched lead (C06), as a due row of its own.

Why not a Deadline: a Deadline belongs to an incident (non-null, and every reader of deadlines,
the access policy's "owes something on" and the ladder's notices assume one), while a lead has
none until someone judges it. So the window is plan data like any other (a DeadlineRule of kind
`lead_triage` in the incident plan, default 30 minutes) and the row is intake's: opened when the
lead arrives, met when the lead is opened, attached or dismissed, and breached by intake's own
sweep with the same conditional-UPDATE claim as incidents.sweep, climbing the plan's ladder
(owner → office → leadership) until someone handles the lead.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Person, Unit
from plans.models import DeadlineRule

from .leads import Lead


class LeadTriage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待研判")
        MET = "met", _("已研判")
        BREACHED = "breached", _("已超时")

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="triage")
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="+")
    clause = models.CharField(_("预案条款"), max_length=10)
    owed_by_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    owed_by_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    opened_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("截止时间"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.PENDING)
    met_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("判定超时时间"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("已通知级别"), default=0)
    next_level_at = models.DateTimeField(_("下一级通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("线索研判时限")
        verbose_name_plural = _("线索研判时限")
        indexes = [
            # The triage sweep's two queries; partial, so they grow with what is owed only.
            models.Index(fields=["due_at"], name="lead_triage_pending_idx",
                         condition=models.Q(state="pending")),
            models.Index(fields=["next_level_at"], name="lead_triage_climb_idx",
                         condition=models.Q(state="breached", met_at__isnull=True)),
        ]
