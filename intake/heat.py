"""Heat over time (C07): the figures each sighting of a lead carries become samples, and the
newest sample of a lead attached to an incident becomes one of the incident's snapshots, by the
core's own action (record_metrics), which raises severity when a threshold is crossed (C08, C09).

Idempotent: a sighting is keyed by (lead, observed time), so the same push twice is one sample.
Out-of-order safe: a sample observed before one already recorded is kept on the lead but never
becomes a snapshot, so a late-arriving old count cannot roll the incident's heat back.
"""
from django.utils.translation import gettext as _

from incidents import actions as incident_actions
from incidents.classification import Heat

from .links import Metrics
from .models import Lead, LeadMetricSample


def take_sample(lead: Lead, metrics: Metrics, at) -> LeadMetricSample:
    observed = metrics.observed_at or at
    sample, created = LeadMetricSample.objects.get_or_create(
        lead=lead, observed_at=observed,
        defaults={"clicks": metrics.clicks, "comments": metrics.comments,
                  "reposts": metrics.reposts, "mainstream_sites": metrics.mainstream_sites,
                  "heat_index": metrics.heat_index})
    if created and not lead.samples.filter(observed_at__gt=observed).exists():
        Lead.objects.filter(pk=lead.pk).update(
            clicks=sample.clicks, comments=sample.comments, reposts=sample.reposts,
            mainstream_sites=sample.mainstream_sites, heat_index=sample.heat_index)
    return sample


def feed_incident(lead: Lead, actor) -> bool:
    """Record the lead's newest figures as a snapshot of its incident, once (C07)."""
    incident = lead.incident
    if incident is None or not incident.is_open:
        return False
    newest = lead.samples.order_by("-observed_at").first()
    if newest is None:
        # No figures, but the watch list says the topic is sensitive (C08): that is heat too.
        return lead.sensitive_topic and _record(incident, actor, lead, Heat(sensitive_topic=True))
    if newest.snapshot_recorded:
        return False
    if lead.samples.filter(snapshot_recorded=True, observed_at__gt=newest.observed_at).exists():
        return False
    heat = Heat(clicks=newest.clicks, comments=newest.comments,
                mainstream_sites=newest.mainstream_sites, sensitive_topic=lead.sensitive_topic)
    _record(incident, actor, lead, heat, newest)
    LeadMetricSample.objects.filter(pk=newest.pk).update(snapshot_recorded=True)
    return True


def _record(incident, actor, lead: Lead, heat: Heat,
            sample: LeadMetricSample | None = None) -> bool:
    # The snapshot has no field of its own for reposts (转发); they go with the title in the
    # snapshot's attention text so the figure is on the incident's record, not only the lead's.
    attention = lead.title
    if sample is not None and sample.reposts:
        attention = _("%(title)s（转发 %(n)s）") % {"title": lead.title, "n": sample.reposts}
    incident_actions.record_metrics(incident, actor, heat=heat, stage=incident.stage,
                                    attention=attention,
                                    heat_index=sample.heat_index if sample else None)
    return True

