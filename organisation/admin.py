"""The office's organisation in the admin: units, people, and people on user accounts."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from organisation.models import Person, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "title", "phone", "is_monitor", "user"]
    list_filter = ["unit__kind", "unit", "is_monitor"]
    search_fields = ["name", "phone", "user__username"]
    list_select_related = ["unit", "user"]


class PersonInline(admin.StackedInline):
    model = Person
    can_delete = False  # people are referenced by incidents and deadlines (PROTECT)
    fields = ["name", "unit", "title", "phone", "is_monitor"]


admin.site.unregister(User)


@admin.register(User)
class UserWithPersonAdmin(UserAdmin):
    inlines = [PersonInline]
    list_display = ["username", "person_name", "email", "is_staff", "is_active"]

    @admin.display(description=Person._meta.get_field("name").verbose_name)
    def person_name(self, user):
        person = getattr(user, "person", None)
        return person.name if person is not None else "—"
