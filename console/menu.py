"""The menu: only what the signed-in user's role can use.

管理后台 and API 文档 are for staff accounts (the admin lets nobody else in, and the API
documentation is for those who connect other systems); 投递记录, with recipients' addresses, is
the office's (organisation.policy.is_office); 审计 needs audit.view_audit; 舆情线索 needs
intake.view_lead; 登记舆情 needs detect_incident; 抄告单 is the office's and the departments'
(their slips, C11–C13).
"""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisation import policy, roles


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    current: bool = False


def _entries(user):
    yield _("工作台"), reverse("home"), True
    yield _("事件列表"), reverse("incident-list"), True
    yield _("看板"), reverse("board"), policy.is_office(user)
    yield _("登记舆情"), reverse("incident-new"), user.has_perm("incidents.detect_incident")
    yield _("舆情线索"), reverse("intake-leads-page"), user.has_perm("intake.view_lead")
    yield _("回应稿审定"), reverse("responses:inbox"), _in(
        user, roles.LEADERSHIP_MEMBER, roles.DEPARTMENT_HEAD)  # C10a, C16: who approves
    yield _("待发布回应"), reverse("responses:queue"), _in(user, roles.SPOKESPERSON)  # C17
    yield _("会议"), reverse("responses:meetings"), user.has_perm("incidents.classify_incident")
    yield _("抄告单"), reverse("referral-worklist"), (
        policy.is_office(user) or policy.is_department_handler(user))  # C11–C13
    yield _("站内信"), reverse("notifications:inbox"), True
    yield _("投递记录"), reverse("notifications:deliveries"), policy.is_office(user)
    yield _("审计"), reverse("audit:findings"), user.has_perm("audit.view_audit")
    yield _("管理后台"), reverse("admin:index"), user.is_staff
    yield _("API 文档"), reverse("api-docs"), user.is_staff


def _in(user, *groups) -> bool:
    return user.is_superuser or any(g.name in groups for g in user.groups.all())


def items_for(user, path: str) -> list[Item]:
    """The menu of `user` on the page at `path`; the entry whose address `path` starts with
    longest is the current one."""
    if not user.is_authenticated:
        return []
    shown = [(str(label), url) for label, url, allowed in _entries(user) if allowed]
    current = max((url for _label, url in shown if path.startswith(url)), key=len, default=None)
    return [Item(label, url, url == current) for label, url in shown]
