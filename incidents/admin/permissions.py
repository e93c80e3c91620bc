"""Who may look at the incident side of the admin."""
from organisation.roles import INCIDENT_PERMISSIONS


def works_on_incidents(user) -> bool:
    """Anyone whose role holds one of the plan's verbs may view incidents and their record."""
    return user.is_active and any(user.has_perm(f"incidents.{codename}")
                                  for codename, _label in INCIDENT_PERMISSIONS)


class RecordOnlyMixin:
    """Rows written only by the application's own paths: never added, changed or deleted in
    the admin. Shared by the incident, notification and briefing admins."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyAdminMixin(RecordOnlyMixin):
    """A record nobody edits in the admin (C24): listed and opened, never added, changed or
    deleted. Viewing is open to the roles that work on incidents."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or works_on_incidents(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or works_on_incidents(request.user)


class ReadOnlyInlineMixin(RecordOnlyMixin):
    can_delete = False
    extra = 0
    max_num = 0
