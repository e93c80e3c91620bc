"""The referral slip pages (抄告单, C11–C13): the department's worklist with due times and
overdue in red, and the slip page whose forms (reply, extend, approve, return, supervise) each
appear only for who may use them: the lead unit, the office, never a co-unit."""
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from briefings import generation
from briefings.models import Briefing
from incidents import actions
from incidents.models import Channel, Event
from organisation import roles
from referrals import actions as referrals
from referrals.models import Referral, ReferralReply, Supervision
from tests.factories import UnitFactory, incident_kwargs, person_with_role
from tests.referrals.test_api import MONDAY

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
VERBS = ("reply", "extend", "approve", "return", "supervise")


@pytest.fixture(autouse=True)
def at_monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(org):
    co_unit = UnitFactory(name="后勤处")
    elsewhere = UnitFactory(name="学生处")
    return {
        "lead": org.handler,
        "co": person_with_role(roles.DEPARTMENT_HANDLER, co_unit, "孙协办", "co"),
        "elsewhere": person_with_role(roles.DEPARTMENT_HANDLER, elsewhere, "周他处", "else"),
        "office": org.staff,
        "leader": org.leader,
        "co_unit": co_unit,
    }


@pytest.fixture
def slip(org, people):
    incident = actions.detect_incident(org.duty.user, **incident_kwargs(
        discovered_at=MONDAY - timedelta(minutes=20)))
    incident = actions.report_incident(incident, org.duty.user, actions.Step(
        channel=Channel.PHONE, recipient="舆情办"))
    incident = actions.classify_incident(incident, org.staff.user, category="inquiry",
                                         severity="general")
    return referrals.refer_incident(incident, org.staff.user, lead_unit=org.department,
                                    co_units=[people["co_unit"]],
                                    instruction="请教务处核实收费依据并答复网民")


def browser(person):
    client = Client()
    client.force_login(person.user)
    return client


def page(person, slip):
    return browser(person).get(f"/referrals/{slip.pk}/")


def forms_on(html: str) -> set[str]:
    return set(re.findall(r'id="slip-(reply|extend|approve|return|supervise)"', html))


def local(moment) -> str:
    return moment.astimezone(SH).strftime("%Y-%m-%dT%H:%M")


def valid_body(verb: str, slip: Referral) -> dict:
    if verb == "reply":
        return {"reply-body": "经核实，收费依据已公示，已电话答复网民。"}
    if verb == "extend":
        return {"extend-until": local(slip.due_at + timedelta(hours=1)),
                "extend-reason": "需调取往年收费档案"}
    if verb == "approve":
        return {"approve-comment": "同意"}
    if verb == "return":
        return {"return-comment": "请补充收费公示的时间和位置"}
    return {"supervise-channel": Channel.PHONE, "supervise-note": "电话督办，承诺明日答复"}


def to_state(org, slip, state):
    if state in ("awaiting_approval", "returned", "approved"):
        referrals.reply_referral(slip, org.handler.user, body="已核实并答复网民")
    if state == "returned":
        referrals.return_reply(slip, org.staff.user, comment="请补充依据")
    if state == "approved":
        referrals.approve_reply(slip, org.staff.user, comment="同意")
    return Referral.objects.get(pk=slip.pk)


# --- the worklist ------------------------------------------------------------------------------

def test_c12_the_lead_and_co_units_worklists_list_the_slip_with_its_due_time(org, people, slip):
    for who in ("lead", "co", "office"):
        html = browser(people[who]).get("/referrals/").content.decode()
        assert f'id="referral-{slip.pk}"' in html, who
        assert local(slip.due_at).replace("T", " ") in html
    html = browser(people["elsewhere"]).get("/referrals/").content.decode()
    assert f'id="referral-{slip.pk}"' not in html and "没有抄告单" in html
    assert browser(people["elsewhere"]).get(f"/referrals/{slip.pk}/").status_code == 404


def test_c13_an_overdue_slip_is_red_on_the_worklist(org, people, slip, at_monday):
    row = re.compile(rf'<tr id="referral-{slip.pk}"[^>]*>')
    html = browser(people["lead"]).get("/referrals/").content.decode()
    assert "overdue" not in row.search(html).group(0)
    at_monday.move_to(slip.due_at + timedelta(minutes=5))
    html = browser(people["lead"]).get("/referrals/").content.decode()
    assert 'class="overdue"' in row.search(html).group(0)
    assert "已逾期" in html


def test_c12_an_approved_slip_leaves_the_open_worklist_but_not_the_full_one(org, people, slip):
    to_state(org, slip, "approved")
    assert f'id="referral-{slip.pk}"' not in browser(people["lead"]).get(
        "/referrals/").content.decode()
    assert f'id="referral-{slip.pk}"' in browser(people["lead"]).get(
        "/referrals/?all=1").content.decode()


def test_the_menu_links_the_worklist_for_the_office_and_the_departments(people):
    for who, shown in (("lead", True), ("co", True), ("office", True), ("leader", False)):
        html = browser(people[who]).get("/").content.decode()
        assert ('href="/referrals/"' in html) == shown, who


# --- a role never sees a form it cannot use ------------------------------------------------------

@pytest.mark.parametrize("state", ["awaiting_reply", "awaiting_approval", "returned", "approved"])
def test_c12_each_role_sees_exactly_the_forms_it_may_use(org, people, slip, state):
    slip = to_state(org, slip, state)
    expected = {
        "awaiting_reply": {"lead": {"reply", "extend"}, "office": {"extend", "supervise"}},
        "awaiting_approval": {"lead": set(), "office": {"approve", "return", "supervise"}},
        "returned": {"lead": {"reply", "extend"}, "office": {"extend", "supervise"}},
        "approved": {"lead": set(), "office": set()},
    }[state]
    for who in ("lead", "co", "office", "leader"):
        response = page(people[who], slip)
        assert response.status_code == 200, who
        shown = forms_on(response.content.decode())
        assert shown == expected.get(who, set()), (who, state, shown)
        for verb in VERBS:  # what is not shown is refused; what is shown goes through
            with transaction.atomic():
                posted = browser(people[who]).post(f"/referrals/{slip.pk}/{verb}/",
                                                   valid_body(verb, slip))
                transaction.set_rollback(True)
            if verb in shown:
                assert posted.status_code == 302, (who, state, verb, posted.status_code)
            else:
                assert posted.status_code in (403, 409), (who, state, verb, posted.status_code)


# --- each form ------------------------------------------------------------------------------------

def test_c12_the_lead_unit_replies_on_the_page(org, people, slip):
    response = browser(people["lead"]).post(f"/referrals/{slip.pk}/reply/",
                                            valid_body("reply", slip), follow=True)
    assert "已完成：书面答复" in response.content.decode()
    slip.refresh_from_db()
    assert slip.state == Referral.State.AWAITING_APPROVAL
    assert slip.replies.get().body.startswith("经核实")
    assert slip.incident.timeline.filter(event=Event.REFERRAL_REPLIED).exists()


def test_c12_an_empty_reply_is_shown_on_its_form_and_nothing_is_stored(org, people, slip):
    entries = slip.incident.timeline.count()
    response = browser(people["lead"]).post(f"/referrals/{slip.pk}/reply/", {"reply-body": " "})
    assert response.status_code == 400
    html = response.content.decode()
    form = html.split('id="slip-reply"')[1].split("</form>")[0]
    assert 'class="errorlist"' in form
    assert not ReferralReply.objects.exists()
    assert slip.incident.timeline.count() == entries


def test_c12_an_extension_past_the_limit_is_refused_on_its_field(org, people, slip):
    response = browser(people["lead"]).post(f"/referrals/{slip.pk}/extend/", {
        "extend-until": local(slip.limit_at + timedelta(days=1)), "extend-reason": "材料多"})
    assert response.status_code == 400
    form = response.content.decode().split('id="slip-extend"')[1].split("</form>")[0]
    assert "答复网民不得晚于" in form
    due = slip.due_at
    slip.refresh_from_db()
    assert slip.due_at == due and not slip.extensions.exists()


def test_c12_an_extension_moves_the_due_time_on_the_page(org, people, slip):
    until = slip.due_at + timedelta(hours=3)
    response = browser(people["lead"]).post(f"/referrals/{slip.pk}/extend/", {
        "extend-until": local(until), "extend-reason": "需调取档案"}, follow=True)
    assert "已完成：延长答复期限" in response.content.decode()
    slip.refresh_from_db()
    assert slip.due_at == until and slip.extensions.get().reason == "需调取档案"


def test_c12_the_office_approves_on_the_page_and_the_slip_closes(org, people, slip):
    slip = to_state(org, slip, "awaiting_approval")
    response = browser(people["office"]).post(f"/referrals/{slip.pk}/approve/",
                                              {"approve-comment": "同意上报"}, follow=True)
    assert "已完成：审定答复" in response.content.decode()
    slip.refresh_from_db()
    assert slip.state == Referral.State.APPROVED and slip.approved_at is not None


def test_c12_the_lead_unit_cannot_approve_its_own_reply(org, people, slip):
    slip = to_state(org, slip, "awaiting_approval")
    response = browser(people["lead"]).post(f"/referrals/{slip.pk}/approve/", {})
    assert response.status_code == 403
    assert "您的角色无权办理此抄告单事项" in response.content.decode()
    slip.refresh_from_db()
    assert slip.state == Referral.State.AWAITING_APPROVAL


def test_c12_a_return_needs_comments_and_then_reopens_the_reply(org, people, slip):
    slip = to_state(org, slip, "awaiting_approval")
    response = browser(people["office"]).post(f"/referrals/{slip.pk}/return/",
                                              {"return-comment": ""})
    assert response.status_code == 400
    slip.refresh_from_db()
    assert slip.state == Referral.State.AWAITING_APPROVAL
    response = browser(people["office"]).post(f"/referrals/{slip.pk}/return/",
                                              valid_body("return", slip), follow=True)
    assert "已完成：退回重办" in response.content.decode()
    slip.refresh_from_db()
    assert slip.state == Referral.State.RETURNED
    assert forms_on(page(people["lead"], slip).content.decode()) == {"reply", "extend"}


def test_c13_the_office_records_a_chase_on_the_page(org, people, slip):
    response = browser(people["office"]).post(f"/referrals/{slip.pk}/supervise/",
                                              valid_body("supervise", slip), follow=True)
    html = response.content.decode()
    assert "已完成：督办" in html and "电话督办，承诺明日答复" in html
    chase = Supervision.objects.get()
    assert chase.supervised_by == org.staff.user and chase.channel == Channel.PHONE


def test_c13_a_chase_with_a_bad_channel_is_a_400_on_its_field(org, people, slip):
    response = browser(people["office"]).post(f"/referrals/{slip.pk}/supervise/", {
        "supervise-channel": "pigeon", "supervise-note": "x"})
    assert response.status_code == 400
    assert not Supervision.objects.exists()


# --- the slip's document ----------------------------------------------------------------------

def test_c11_the_slip_document_is_downloadable_by_who_sees_the_slip(org, people, slip):
    document = Briefing.objects.get(referral=slip)
    generation.generate_briefing(document.pk)
    url = f"/referrals/{slip.pk}/documents/{document.pk}/"
    for who in ("lead", "co", "office"):
        html = page(people[who], slip).content.decode()
        assert f'href="{url}"' in html, who
        response = browser(people[who]).get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert browser(people["elsewhere"]).get(url).status_code == 404
