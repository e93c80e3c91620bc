"""C06: a push that is not what the provider accepts is answered with that provider's error,
and nothing is stored (no lead); a refused push of a known source is on its push log."""
import json
import time

import pytest
from django.test import Client

from intake.models import Lead, Push
from intake.sources import intake_url

from .conftest import DING_SECRET, FEISHU_SECRET, post_json
from .pushes import (
    dingtalk_markdown,
    dingtalk_signed_path,
    feishu_interactive_text,
    path_of,
    wecom_markdown,
)

pytestmark = pytest.mark.django_db


def refused(response, key, code, status=200):
    assert response.status_code == status
    assert response.json()[key] == code, response.json()
    assert Lead.objects.count() == 0
    return response.json()


def test_c06_dingtalk_wrong_signature_is_310000_and_stores_nothing(sources, clock):
    path = dingtalk_signed_path(sources.dingtalk, "SECwrong-secret")
    body = refused(post_json(path, dingtalk_markdown()), "errcode", 310000)
    assert "sign" in body["errmsg"]
    push = Push.objects.get(source=sources.dingtalk)
    assert push.outcome == "refused" and push.error_code == "310000"
    assert sources.dingtalk.token not in push.body


def test_c06_dingtalk_missing_signature_is_310000(sources, clock):
    body = refused(post_json(path_of(intake_url(sources.dingtalk)), dingtalk_markdown()),
                   "errcode", 310000)
    assert "sign" in body["errmsg"]


def test_c06_dingtalk_signature_older_than_an_hour_is_refused(sources, clock):
    path = dingtalk_signed_path(sources.dingtalk, DING_SECRET, now_s=time.time() - 3601)
    refused(post_json(path, dingtalk_markdown()), "errcode", 310000)


def test_c06_dingtalk_signature_within_the_hour_is_accepted(sources, clock):
    path = dingtalk_signed_path(sources.dingtalk, DING_SECRET, now_s=time.time() - 3500)
    assert post_json(path, dingtalk_markdown()).json() == {"errcode": 0, "errmsg": "ok"}


def test_c06_dingtalk_wrong_token_is_refused_and_not_logged_as_a_row(sources, clock):
    refused(post_json("/intake/dingtalk/robot/send?access_token=nope", dingtalk_markdown()),
            "errcode", 300001)
    assert Push.objects.count() == 0


def test_c06_dingtalk_token_of_another_kind_is_a_wrong_token(sources, clock):
    refused(post_json(f"/intake/dingtalk/robot/send?access_token={sources.wecom.token}",
                      dingtalk_markdown()), "errcode", 300001)


def test_c06_dingtalk_oversized_body_is_460101(sources, clock):
    path = dingtalk_signed_path(sources.dingtalk, DING_SECRET)
    big = dingtalk_markdown("[题](https://weibo.com/1)\n" + "长" * 8000)
    refused(post_json(path, big), "errcode", 460101)
    assert Push.objects.get().outcome == "refused"


def test_c06_dingtalk_non_json_is_refused(sources, clock):
    path = dingtalk_signed_path(sources.dingtalk, DING_SECRET)
    refused(post_json(path, b"msgtype=text&content=hi"), "errcode", 40035)


def test_c06_dingtalk_unknown_message_type_is_refused(sources, clock):
    path = dingtalk_signed_path(sources.dingtalk, DING_SECRET)
    refused(post_json(path, {"msgtype": "voice", "voice": {"media": "x"}}), "errcode", 40035)


def test_c06_wecom_wrong_key_is_93000(sources, clock):
    refused(post_json("/intake/wecom/cgi-bin/webhook/send?key=nope", wecom_markdown()),
            "errcode", 93000)


def test_c06_wecom_markdown_over_4096_bytes_is_40058(sources, clock):
    refused(post_json(path_of(intake_url(sources.wecom)), wecom_markdown("字" * 1400)),
            "errcode", 40058)


def test_c06_wecom_non_json_and_unknown_type_are_refused(sources, clock):
    path = path_of(intake_url(sources.wecom))
    refused(post_json(path, "not json"), "errcode", 40058)
    refused(post_json(path, {"msgtype": "voice", "voice": {}}), "errcode", 40008)
    refused(post_json(path, {"msgtype": "markdown", "markdown": {"content": " "}}),
            "errcode", 44004)


def test_c06_wecom_declared_length_over_the_limit_is_refused_unread(sources, clock):
    path = path_of(intake_url(sources.wecom))
    refused(post_json(path, wecom_markdown(), CONTENT_LENGTH="30000"), "errcode", 40058)


def test_c06_feishu_wrong_signature_is_19021(sources, clock):
    payload = feishu_interactive_text("wrong-secret")
    refused(post_json(path_of(intake_url(sources.feishu)), payload), "code", 19021)


def test_c06_feishu_missing_signature_is_19021(sources, clock):
    refused(post_json(path_of(intake_url(sources.feishu)), feishu_interactive_text(None)),
            "code", 19021)


def test_c06_feishu_wrong_token_is_19001(sources, clock):
    refused(post_json("/intake/feishu/open-apis/bot/v2/hook/nope",
                      feishu_interactive_text(FEISHU_SECRET)), "code", 19001)


def test_c06_feishu_non_json_and_oversized_are_http_400(sources, clock):
    path = path_of(intake_url(sources.feishu))
    refused(post_json(path, "{not json"), "code", 9499, status=400)
    big = feishu_interactive_text(FEISHU_SECRET, text="长" * 8000)
    refused(post_json(path, big), "code", 9499, status=400)


def test_c06_feishu_unknown_msg_type_is_refused(sources, clock):
    payload = {**feishu_interactive_text(FEISHU_SECRET), "msg_type": "audio"}
    refused(post_json(path_of(intake_url(sources.feishu)), payload), "code", 19002)


def test_c06_robot_endpoints_answer_only_post(sources, clock):
    assert Client().get(path_of(intake_url(sources.wecom))).status_code == 405


def test_c06_every_push_is_logged_with_source_and_outcome_redacted(sources, clock, caplog):
    caplog.set_level("INFO", logger="intake.receiving")
    post_json(path_of(intake_url(sources.wecom)), wecom_markdown())
    post_json("/intake/wecom/cgi-bin/webhook/send?key=secret-looking-key", wecom_markdown())

    messages = [r.getMessage() for r in caplog.records]
    assert any("accepted" in m and f"source={sources.wecom.pk}" in m for m in messages)
    assert any("refused" in m and "source=unknown" in m and "93000" in m for m in messages)
    assert json.dumps(messages).count(sources.wecom.token) == 0
