"""factory-boy factories for the organisation and incidents."""
from datetime import timedelta

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from organisation import roles
from organisation.models import Person, Unit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = Unit.Kind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo-pass-123")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"人员{n}")
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.user.groups.add(Group.objects.get(name=extracted))


def person_with_role(role: str, unit: Unit, name: str, username: str) -> Person:
    return PersonFactory(user=UserFactory(username=username), name=name, unit=unit, role=role)


class Org:
    """A small office: the office, the leadership group, a department, press and superior."""

    def __init__(self):
        self.office = UnitFactory(name="舆情办", kind=Unit.Kind.OFFICE)
        self.leadership = UnitFactory(name="领导小组", kind=Unit.Kind.LEADERSHIP)
        self.department = UnitFactory(name="教务处", kind=Unit.Kind.DEPARTMENT)
        self.press = UnitFactory(name="新闻发布组", kind=Unit.Kind.PRESS)
        self.superior = UnitFactory(name="市教育局", kind=Unit.Kind.SUPERIOR)
        self.leader = person_with_role(roles.LEADERSHIP_MEMBER, self.leadership, "王组长", "leader")
        self.duty = person_with_role(roles.DUTY_OFFICER, self.department, "李值班", "duty")
        self.staff = person_with_role(roles.OFFICE_STAFF, self.office, "赵干事", "staff")
        self.handler = person_with_role(roles.DEPARTMENT_HANDLER, self.department, "钱承办",
                                        "handler")
        self.spokesperson = person_with_role(roles.SPOKESPERSON, self.press, "孙发言", "speaker")
        self.auditor = person_with_role(roles.AUDITOR, self.office, "周审计", "auditor")
        self.superior_contact = person_with_role(roles.OFFICE_STAFF, self.superior, "吴科长",
                                                 "superior")


def incident_kwargs(**overrides):
    values = dict(
        title="网传某校食堂饭菜变质", summary="微博用户发帖称食堂饭菜变质，引发转发。",
        source_url="https://weibo.com/123/abc", platform="微博",
        discovered_at=timezone.now() - timedelta(minutes=1), urgent=False)
    values.update(overrides)
    return values
