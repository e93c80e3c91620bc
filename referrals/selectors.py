"""Who sees which referral slips: the office, leadership and auditors every one; a unit's
people the slips their unit leads or assists on (a department's worklist, C12)."""
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from incidents.models import Deadline
from organisation import policy
from organisation.actors import person_of

from .models import Referral, ReferralReply, Supervision


def referrals() -> QuerySet:
    return (Referral.objects
            .select_related("incident", "lead_unit", "issued_by__person", "reply_deadline",
                            "supervision_deadline")
            .prefetch_related(
                "co_units", "extensions",
                Prefetch("replies", queryset=ReferralReply.objects.order_by("submitted_at", "id")
                         .select_related("submitted_by__person", "reviewed_by__person")),
                Prefetch("supervisions", queryset=Supervision.objects
                         .order_by("supervised_at", "id").select_related("supervised_by__person"))))


def visible_referrals(user, among: QuerySet | None = None) -> QuerySet:
    among = referrals() if among is None else among
    if not (user is not None and user.is_authenticated and user.is_active):
        return among.none()
    if policy.sees_every_incident(user):
        return among
    person = person_of(user)
    if person is None:
        return among.none()
    return among.filter(Q(lead_unit_id=person.unit_id)
                        | Q(pk__in=Referral.objects.filter(co_units=person.unit_id)
                            .values("pk")))


def overdue(rows: QuerySet, now=None) -> QuerySet:
    """Slips still awaiting the unit's reply whose reply obligation is overdue, in the one
    sense the core defines (DeadlineQuerySet.overdue)."""
    return rows.filter(state__in=Referral.AWAITING_UNIT,
                       reply_deadline__in=Deadline.objects.overdue(now or timezone.now()))
