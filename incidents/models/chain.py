"""The head of each incident's hash chain (C24).

Every timeline entry and every deadline and escalation history row is a link of its
incident's chain (`ChainedRecord` in .timeline): its place, the previous link's hash and its
own, computed when it is inserted (incidents.chain.seal). The chain is appended to under a row
lock on the incident's RecordChain, so concurrent writers cannot fork it. The head is kept only
to make the next append O(1): audit's verification recomputes every chain from the rows
themselves and compares the head with the snapshots it took.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .incident import Incident


class RecordChain(models.Model):
    incident = models.OneToOneField(Incident, primary_key=True, on_delete=models.PROTECT,
                                    related_name="record_chain")
    length = models.PositiveIntegerField(_("记录条数"), default=0)
    head_hash = models.CharField(_("最新哈希"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("记录哈希链")
        verbose_name_plural = _("记录哈希链")

    def __str__(self):
        return f"#{self.incident_id}: {self.length} · {self.head_hash[:12]}"
