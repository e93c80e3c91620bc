"""Who sees and handles which lead: the access policy of organisation.policy, applied to leads.

A lead belongs to a unit (the watch list's, or its source's) and may have an officer on duty as
its owner. The policy's scope for incidents reads the same for leads: whoever sees every
incident sees every lead; a unit's people see their unit's leads (owned, or told of: a handler
is told of what their unit owes); a duty officer also the leads they own. Handling follows the
acting scope, as verbs on incidents do.
"""
from django.db.models import Q, QuerySet

from organisation import policy

from .models import Lead


def _filter(scope: policy.Scope) -> Q | None:
    if scope.everything:
        return None
    units = scope.owned_by_units | scope.owed_by_units
    return Q(unit_id__in=units) | Q(assignee_id__in=scope.discovered_by_people)


def visible_leads(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Lead.objects.all() if queryset is None else queryset
    scope = policy.incident_scope(user)
    if scope.is_empty:
        return queryset.none()
    condition = _filter(scope)
    return queryset if condition is None else queryset.filter(condition)


def may_handle(user, lead: Lead) -> bool:
    return policy.acting_scope(user).admits(owner_unit_id=lead.unit_id,
                                            discovered_by_id=lead.assignee_id)
