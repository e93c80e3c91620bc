"""Intake pushes per source over INTAKE_RATE_LIMIT a minute (issue 15): refused in the
provider's own shape (DingTalk 130101, WeCom 45009, Feishu 11232, the API a 429), with
Retry-After, storing no lead, on the source's push log; other sources are not counted with it;
0 lifts the limit."""
import json

import pytest
from rest_framework.test import APIClient

from intake.models import Lead, Push
from intake.sources import api_token, intake_url

from .conftest import DING_SECRET, FEISHU_SECRET, post_json
from .pushes import (
    dingtalk_markdown,
    dingtalk_signed_path,
    feishu_interactive_text,
    path_of,
    wecom_markdown,
)

pytestmark = pytest.mark.django_db
LIMIT = 2


@pytest.fixture(autouse=True)
def _low_limit(settings):
    settings.INTAKE_RATE_LIMIT = LIMIT


def report(n: int) -> str:
    return f"### 日报\n1. [某校食堂问题第{n}报 编号{n * 7919}](https://m.weibo.cn/status/{n})\n"


def push_dingtalk(sources, n):
    return post_json(dingtalk_signed_path(sources.dingtalk, DING_SECRET),
                     dingtalk_markdown(report(n)))


def push_wecom(sources, n):
    return post_json(path_of(intake_url(sources.wecom)), wecom_markdown(report(n)))


def push_feishu(sources, n):
    return post_json(path_of(intake_url(sources.feishu)),
                     feishu_interactive_text(FEISHU_SECRET, report(n)))


def assert_refused_and_logged(source, response, key, code):
    assert response.status_code == 200, response.content  # as the provider answers
    assert response.json()[key] == code, response.json()
    assert int(response["Retry-After"]) > 0
    refused = Push.objects.filter(source=source, outcome=Push.Outcome.REFUSED)
    assert [p.error_code for p in refused] == [str(code)]
    assert Lead.objects.filter(source=source).count() == LIMIT  # the refused one stored none


def test_dingtalk_over_the_limit_is_130101_send_too_fast(sources, clock):
    assert [push_dingtalk(sources, n).json()["errcode"] for n in range(LIMIT)] == [0] * LIMIT
    response = push_dingtalk(sources, LIMIT)
    assert_refused_and_logged(sources.dingtalk, response, "errcode", 130101)
    assert "send too fast" in response.json()["errmsg"]


def test_wecom_over_the_limit_is_45009_api_freq_out_of_limit(sources, clock):
    assert [push_wecom(sources, n).json()["errcode"] for n in range(LIMIT)] == [0] * LIMIT
    response = push_wecom(sources, LIMIT)
    assert_refused_and_logged(sources.wecom, response, "errcode", 45009)
    assert response.json()["errmsg"] == "api freq out of limit"


def test_feishu_over_the_limit_is_11232_frequency_limited(sources, clock):
    assert [push_feishu(sources, n).json()["code"] for n in range(LIMIT)] == [0] * LIMIT
    response = push_feishu(sources, LIMIT)
    assert_refused_and_logged(sources.feishu, response, "code", 11232)
    assert response.json()["msg"] == "frequency limited"


def test_the_api_source_over_the_limit_is_a_429_with_retry_after(sources, clock):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(sources.api)}")
    lead = {"title": "网传某校食堂饭菜变质"}
    statuses = [client.post("/api/v1/intake/leads/", {**lead, "url": f"https://weibo.com/{n}"},
                            format="json").status_code for n in range(LIMIT + 1)]
    assert statuses == [201] * LIMIT + [429]
    refused = client.post("/api/v1/intake/leads/", {**lead, "url": "https://weibo.com/x"},
                          format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("请求过于频繁，请在")  # not DRF's English
    assert Lead.objects.filter(source=sources.api).count() == 1  # same title: a repeat
    assert Push.objects.filter(source=sources.api, outcome=Push.Outcome.REFUSED,
                               error_code="429").count() == 2


def test_each_source_is_counted_on_its_own(sources, clock):
    for n in range(LIMIT):
        push_dingtalk(sources, n)
    assert push_dingtalk(sources, LIMIT).json()["errcode"] == 130101
    assert push_wecom(sources, 0).json()["errcode"] == 0  # another source: its own count


def test_a_wrong_signature_does_not_use_up_the_real_senders_pushes(sources, clock):
    for n in range(LIMIT + 3):
        forged = post_json(dingtalk_signed_path(sources.dingtalk, "SECwrong"),
                           dingtalk_markdown(report(n)))
        assert forged.json()["errcode"] == 310000
    assert push_dingtalk(sources, 0).json()["errcode"] == 0


def test_zero_lifts_the_limit(sources, clock, settings):
    settings.INTAKE_RATE_LIMIT = 0
    codes = [json.loads(push_wecom(sources, n).content)["errcode"] for n in range(LIMIT + 3)]
    assert codes == [0] * (LIMIT + 3)
