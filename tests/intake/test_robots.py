"""C06: a monitoring tool configured for a DingTalk, WeCom or Feishu robot pushes to OpinionOps
unchanged; each link becomes one lead, a repeat push makes none, and the tool logs success."""
import pytest

from intake.models import Lead, LeadTriage, Push
from intake.sources import intake_url

from .conftest import DING_SECRET, FEISHU_SECRET, T0, post_json
from .pushes import (
    dingtalk_markdown,
    dingtalk_signed_path,
    feishu_card,
    feishu_interactive_text,
    path_of,
    wecom_markdown,
)

pytestmark = pytest.mark.django_db
LINKS = {"https://m.weibo.cn/status/4990001?from=timeline&utm_source=wx",
         "https://www.toutiao.com/article/7300000001/?share_token=abc&wid=1",
         "https://www.douyin.com/video/7300000002"}


def test_c06_dingtalk_markdown_push_with_signature_becomes_one_lead_per_link(sources, clock):
    path = dingtalk_signed_path(sources.dingtalk, DING_SECRET)
    response = post_json(path, dingtalk_markdown())

    assert response.status_code == 200
    assert response.json() == {"errcode": 0, "errmsg": "ok"}
    leads = Lead.objects.filter(source=sources.dingtalk)
    assert {lead.url for lead in leads} == LINKS
    titles = {lead.title for lead in leads}
    assert "网传某校食堂饭菜变质 家长质疑监管" in titles
    assert "某中学教师体罚学生视频流传" in titles  # a bare URL takes its line as the title
    assert {lead.received_at for lead in leads} == {T0}
    assert LeadTriage.objects.filter(lead__in=leads, state="pending").count() == 3
    push = Push.objects.get(source=sources.dingtalk)
    assert push.outcome == "accepted" and push.leads_created == 3
    assert sources.dingtalk.token not in push.body


def test_c06_dingtalk_second_identical_push_makes_no_new_lead(sources, clock):
    post_json(dingtalk_signed_path(sources.dingtalk, DING_SECRET), dingtalk_markdown())
    clock.shift(60)
    response = post_json(dingtalk_signed_path(sources.dingtalk, DING_SECRET), dingtalk_markdown())

    assert response.json() == {"errcode": 0, "errmsg": "ok"}
    assert Lead.objects.count() == 3
    assert set(Lead.objects.values_list("times_seen", flat=True)) == {2}
    assert Push.objects.order_by("-id").first().outcome == "duplicate"


def test_c06_wecom_markdown_push_becomes_one_lead_per_link(sources, clock):
    response = post_json(path_of(intake_url(sources.wecom)), wecom_markdown())

    assert response.status_code == 200
    assert response.json() == {"errcode": 0, "errmsg": "ok"}
    assert {lead.url for lead in Lead.objects.filter(source=sources.wecom)} == LINKS
    post_json(path_of(intake_url(sources.wecom)), wecom_markdown())
    assert Lead.objects.count() == 3


def test_c06_feishu_interactive_content_text_with_signature_becomes_leads(sources, clock):
    response = post_json(path_of(intake_url(sources.feishu)),
                         feishu_interactive_text(FEISHU_SECRET))

    assert response.status_code == 200
    assert response.json()["code"] == 0 and response.json()["msg"] == "success"
    assert {lead.url for lead in Lead.objects.filter(source=sources.feishu)} == LINKS
    post_json(path_of(intake_url(sources.feishu)), feishu_interactive_text(FEISHU_SECRET))
    assert Lead.objects.count() == 3


def test_c06_feishu_card_elements_become_leads(sources, clock):
    response = post_json(path_of(intake_url(sources.feishu)), feishu_card(FEISHU_SECRET))

    assert response.json()["code"] == 0
    assert {lead.url for lead in Lead.objects.all()} == LINKS


def test_c06_feishu_post_rich_text_links_become_leads(sources, clock):
    payload = {"msg_type": "post", "content": {"post": {"zh_cn": {
        "title": "舆情提醒", "content": [[{"tag": "text", "text": "微博："},
                                       {"tag": "a", "text": "某校食堂被曝光",
                                        "href": "https://weibo.com/1/AbC"}]]}}}}
    sources.feishu.secret = ""
    sources.feishu.save()
    response = post_json(path_of(intake_url(sources.feishu)), payload)

    assert response.json()["code"] == 0
    lead = Lead.objects.get()
    assert (lead.title, lead.url) == ("某校食堂被曝光", "https://weibo.com/1/AbC")


def test_c06_message_without_a_link_becomes_one_lead_of_its_text(sources, clock):
    payload = {"msgtype": "text", "text": {"content": "舆情提醒：某校家长群流传食堂饭菜变质的截图\n请关注"}}
    response = post_json(path_of(intake_url(sources.wecom)), payload)

    assert response.json()["errcode"] == 0
    lead = Lead.objects.get()
    assert lead.title == "舆情提醒：某校家长群流传食堂饭菜变质的截图"
    assert lead.url == "" and "请关注" in lead.excerpt


def test_c06_same_post_shared_from_mobile_and_desktop_is_one_lead(sources, clock):
    post_json(path_of(intake_url(sources.wecom)), wecom_markdown(
        "[某校食堂](https://m.weibo.cn/status/4990001?from=timeline)"))
    post_json(path_of(intake_url(sources.wecom)), wecom_markdown(
        "[另一个标题完全不同](http://weibo.com/status/4990001/#comments)"))

    assert Lead.objects.count() == 1
