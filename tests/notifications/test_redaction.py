"""No secret in a record: what `redact()` takes out of a text, and what it leaves alone.

The shapes are the ones our channels meet: robot URLs (DingTalk, WeCom, Feishu), requests and
urllib3 error messages that repeat them, SMS provider URLs and headers, provider answers in
JSON, and the log records of all of them.
"""
import logging
import sys

import pytest
import requests
from django.conf import settings

from notifications.channels.base import (ConfigErrors, SendResult, TransportError,
                                         check_url_prefix, truncate)
from notifications.channels.dingtalk import DingTalkChannel
from opinion_ops.redaction import MARKER, RedactingFilter, is_secret_name, redact, redact_data

R = MARKER


@pytest.mark.parametrize(("text", "expected"), [
    # DingTalk: the token, and the timestamp and sign of a 加签 robot.
    (("https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1700000000000"
      "&sign=OuzzJR5%2BxZ4%2FEYwq%3D"),
     f"https://oapi.dingtalk.com/robot/send?access_token={R}&timestamp={R}&sign={R}"),
    # WeCom: the key is the only credential.
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4",
     f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={R}"),
    # Feishu / Lark: the hook id in the path is the credential.
    ("https://open.feishu.cn/open-apis/bot/v2/hook/2c1f7a0e-57c3-4a8b",
     f"https://open.feishu.cn/open-apis/bot/v2/hook/{R}"),
    ("https://open.larksuite.com/open-apis/bot/v2/hook/abc?x=1",
     f"https://open.larksuite.com/open-apis/bot/v2/hook/{R}?x=1"),
    ("https://hooks.slack.com/services/T000/B000/XXXX",
     f"https://hooks.slack.com/services/{R}"),
    # Passwords in the userinfo, with or without a user name.
    ("smtp://mailer:hunter2@mail.example.gov.cn:25/",
     f"smtp://mailer:{R}@mail.example.gov.cn:25/"),
    ("redis://:s3cret@127.0.0.1:6379/9", f"redis://:{R}@127.0.0.1:6379/9"),
    # Case does not matter, and a fragment is a query too.
    ("/send?ACCESS_TOKEN=a&Sign=b&TimeStamp=c", f"/send?ACCESS_TOKEN={R}&Sign={R}&TimeStamp={R}"),
    ("https://x.example/cb#access_token=abc&expires_in=3600",
     f"https://x.example/cb#access_token={R}&expires_in=3600"),
    # Every secret-looking name; only the values go, names and other parameters stay.
    (("?token=1&secret=2&password=3&passwd=4&pwd=5&apikey=6&api_key=7&sig=8&signature=9"
      "&auth=10&client_secret=11&refresh_token=12&page=2"),
     (f"?token={R}&secret={R}&password={R}&passwd={R}&pwd={R}&apikey={R}&api_key={R}&sig={R}"
      f"&signature={R}&auth={R}&client_secret={R}&refresh_token={R}&page=2")),
    # A non-secret pair before a secret one does not hide it.
    ("a=1;token=x", f"a=1;token={R}"),
    # Alibaba Cloud's signed GET: the signature and the key id go, the SignName stays.
    ("/?Signature=zz%3D&AccessKeyId=LTAI5t&SignName=OpinionOps&SignatureMethod=HMAC-SHA1",
     f"/?Signature={R}&AccessKeyId={R}&SignName=OpinionOps&SignatureMethod=HMAC-SHA1"),
    # A robot URL carried, percent-encoded, inside another URL (once or twice).
    ("?next=https%3A%2F%2Fx%2Fsend%3Faccess_token%3DSECRET%26sign%3DSIG%26page%3D1",
     f"?next=https%3A%2F%2Fx%2Fsend%3Faccess_token%3D{R}%26sign%3D{R}%26page%3D1"),
    ("?u=%253Faccess_token%253DSECRET%2526a%253D1", f"?u=%253Faccess_token%253D{R}%2526a%253D1"),
    # Headers.
    ("Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig", f"Authorization: Bearer {R}"),
    ("Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", f"Authorization: Token {R}"),
    ("authorization=dXNlcjpwYXNz", f"authorization={R}"),
    (("Authorization: TC3-HMAC-SHA256 Credential=AKIDz8/2026-11-23/sms/tc3_request, "
      "SignedHeaders=content-type;host, Signature=2b9f0c"),
     f"Authorization: TC3-HMAC-SHA256 {R}"),
    ("X-Api-Key: k-123\nX-TC-Timestamp: 1700000000\nContent-Type: text/plain",
     f"X-Api-Key: {R}\nX-TC-Timestamp: {R}\nContent-Type: text/plain"),
    ("sent with bearer abc.def", f"sent with bearer {R}"),
    # JSON and Python reprs of what a provider answered or a header dict.
    ('{"errcode": 0, "access_token": "abc", "timestamp": 1700000000000, "ok": true}',
     f'{{"errcode": 0, "access_token": "{R}", "timestamp": {R}, "ok": true}}'),
    ("{'Authorization': 'Token abc', 'X-Auth-Token': 'def', 'Accept': '*/*'}",
     f"{{'Authorization': '{R}', 'X-Auth-Token': '{R}', 'Accept': '*/*'}}"),
    ('{"sign": "a\\"b", "n": 1}', f'{{"sign": "{R}", "n": 1}}'),
    ('{"body": "{\\"token\\": \\"abc\\"}"}', f'{{"body": "{{\\"token\\": \\"{R}\\"}}"}}'),
    # Chinese text around a secret, with no space between.
    ("发送失败：token=abc。请检查", f"发送失败：token={R}。请检查"),
    ("错误https://u:p@h/x", f"错误https://u:{R}@h/x"),
])
def test_secret_values_are_replaced_by_the_marker(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "",
    "HTTP 500: upstream broke",
    "已发送（第 1 次尝试）",
    "钉钉群机器人 → 教务处群机器人（教务处）：发送失败",
    "design=3&assign=4&keyboard=5&signal=on",  # names that merely contain a secret word
    "SignName=OpinionOps&SignatureVersion=1.0&SignatureNonce=abc",
    "Idempotency-Key: notification:1:person:2:inbox",
    "secret: DingTalk signing secrets start with 'SEC'; copy it from the robot's 加签 setting.",
    "url: This field is required: 'url'.",
    "https://ops.example.gov.cn/incidents/42/",
    "access_token=&sign=",  # nothing to hide
    "token is missing",
])
def test_text_without_a_secret_is_left_as_it_was(text):
    assert redact(text) == text


def test_redacting_twice_gives_the_same_text():
    text = ("Connection failed: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries "
            "exceeded with url: /robot/send?access_token=SECRET&timestamp=1&sign=a%2B "
            '{"sign": "x", "timestamp": 17} Authorization: Bearer t https://u:p@h/')
    once = redact(text)
    assert "SECRET" not in once and "a%2B" not in once and ":p@" not in once
    assert redact(once) == once


def test_non_text_is_turned_into_text():
    assert redact(None) == ""
    assert redact(ValueError("bad url ?token=abc")) == f"bad url ?token={R}"


@pytest.mark.parametrize(("name", "secret"), [
    ("access_token", True), ("X-TC-Timestamp", True), ("app.key", True), ("AccessKeyId", True),
    ("X-Amz-Credential", True), ("client_secret", True), ("Authorization", True),
    ("SignName", False), ("SignatureMethod", False), ("idempotency_key", False),
    ("keyword", False), ("design", False), ("error", False), ("recipient", False),
])
def test_which_names_hold_secrets(name, secret):
    assert is_secret_name(name) is secret


def test_nested_data_keeps_its_shape_and_loses_its_secrets():
    data = {"delivery": 7, "error": "HTTP 500: /send?access_token=abc",
            "attempts": [{"url": "https://u:pw@h/", "sign": "xyz", "ok": True, "key": None}],
            "headers": ("Authorization: Bearer t",), "token": {"nested": "anything"}}

    assert redact_data(data) == {
        "delivery": 7, "error": f"HTTP 500: /send?access_token={R}",
        "attempts": [{"url": f"https://u:{R}@h/", "sign": R, "ok": True, "key": None}],
        "headers": (f"Authorization: Bearer {R}",), "token": R}
    assert data["attempts"][0]["sign"] == "xyz"  # a copy: the caller's data is not changed


# ---------------------------------------------------------------- the channels' texts

def test_transport_error_keeps_only_redacted_text():
    error = TransportError("Connection failed: /robot/send?access_token=abc&sign=s",
                           permanent=False, response='{"errmsg": "bad /x?key=k"}')

    assert error.message == f"Connection failed: /robot/send?access_token={R}&sign={R}"
    assert error.args == (error.message,)
    assert error.response == f'{{"errmsg": "bad /x?key={R}"}}'
    assert "abc" not in str(error) and "=k" not in str(error)


def test_provider_answer_and_truncated_text_are_redacted():
    assert SendResult(response="ok, token=abc").response == f"ok, token={R}"
    # Redacted before the cut, so a cut cannot leave a secret without its name.
    cut = truncate("x" * 1990 + "&access_token=" + "s" * 40, limit=2000)
    assert "s" * 5 not in cut and cut.endswith("…")


def test_configuration_problems_do_not_repeat_the_token():
    errors = ConfigErrors()
    check_url_prefix(errors, "https://evil.example/robot/send?access_token=abc",
                     "https://oapi.dingtalk.com/robot/send")

    assert errors.errors["url"] == [
        ("URL must start with https://oapi.dingtalk.com/robot/send, got "
         f"'https://evil.example/robot/send?access_token={R}'.")]


def test_unreachable_robot_error_names_the_url_without_its_secrets(message):
    # Port 9 (discard) on loopback refuses the connection; requests repeats the URL.
    channel = DingTalkChannel({"url": "http://127.0.0.1:9/robot/send?access_token=SECRETTOKEN",
                               "base_url": "http://127.0.0.1:9/robot/send", "timeout": 0.5,
                               "secret": "SEC0123456789abcdef"})

    with pytest.raises(TransportError) as excinfo:
        channel.send(message, None, "delivery-1")

    text = str(excinfo.value)
    assert f"/robot/send?access_token={R}&timestamp={R}&sign={R}" in text
    assert "SECRETTOKEN" not in text
    # Not chained: a traceback of the TransportError cannot print requests' original text.
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__
    assert isinstance(excinfo.value.__context__, requests.ConnectionError)


# ---------------------------------------------------------------- logs

def _record(msg, *args, exc_info=None):
    return logging.LogRecord("notifications.test", logging.WARNING, __file__, 1, msg, args,
                             exc_info)


def _formatted(record):
    RedactingFilter().filter(record)
    return logging.Formatter("%(levelname)s %(message)s").format(record)


def test_log_message_and_arguments_are_redacted_together():
    # The secret is split between the format and its argument.
    record = _record("posting to url=%s (attempt %d)", "/send?access_token=abc", 2)

    assert _formatted(record) == f"WARNING posting to url=/send?access_token={R} (attempt 2)"
    assert record.args is None


def test_log_traceback_is_redacted_and_cannot_be_rendered_again():
    try:
        raise requests.ConnectionError("Max retries exceeded with url: /send?access_token=abc")
    except requests.ConnectionError:
        record = _record("send failed", exc_info=sys.exc_info())

    text = _formatted(record)

    assert "access_token=abc" not in text and f"access_token={R}" in text
    assert record.exc_info is None  # a later formatter falls back to the redacted exc_text


def test_log_with_a_broken_format_is_kept_and_redacted():
    record = _record("token=%s and %s", "abc")  # one argument too few

    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == f"token={R} and %s (arguments dropped: TypeError)"


def test_every_configured_log_handler_redacts():
    configured = settings.LOGGING["handlers"]
    assert configured
    for name, handler in configured.items():
        assert "redact_secrets" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["redact_secrets"]["()"] == \
        "opinion_ops.redaction.RedactingFilter"
    installed = [h for h in logging.getLogger().handlers if h.name in configured]
    assert installed, "the LOGGING handlers are not on the root logger"
    assert all(any(isinstance(f, RedactingFilter) for f in h.filters) for h in installed)
