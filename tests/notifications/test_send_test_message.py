import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from notifications.channels.sms import tencent


def run(*args):
    from io import StringIO
    out = StringIO()
    call_command("send_test_message", *args, stdout=out)
    return out.getvalue()


def test_dingtalk_test_message_prints_the_robot_answer(local_server):
    local_server.reply(json_body={"errcode": 0, "errmsg": "ok"})
    url = f"{local_server.url}/robot/send?access_token=t"

    output = run("--channel", "dingtalk", "--to", url, "--secret", "SECabc",
                 "--set", f"base_url={local_server.url}/robot/send", "--set", "timeout=0.5")

    assert '"errmsg": "ok"' in output
    assert local_server.last.query["sign"]
    assert "测试消息" in local_server.last.json()["markdown"]["text"]


def test_provider_error_fails_the_command_with_its_text(local_server):
    local_server.reply(json_body={"errcode": 310000, "errmsg": "keywords not in content"})
    url = f"{local_server.url}/robot/send?access_token=t"

    with pytest.raises(CommandError, match="permanent.*keywords not in content"):
        run("--channel", "dingtalk", "--to", url,
            "--set", f"base_url={local_server.url}/robot/send")


def test_bad_configuration_fails_the_command_with_the_field_message():
    with pytest.raises(CommandError, match="url: URL must start with https://qyapi"):
        run("--channel", "wecom", "--to", "https://example.com/send?key=k")


def test_webhook_timeout_is_reported_as_transient(local_server):
    local_server.reply(text="ok", delay=2.0)

    with pytest.raises(CommandError, match="transient.*Timed out"):
        run("--channel", "webhook", "--to", f"{local_server.url}/hook",
            "--secret", "0123456789abcdef", "--set", "timeout=0.2")


def test_email_test_message(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    output = run("--channel", "email", "--to", "duty@example.gov.cn")

    assert "邮件服务器已接收，收件人 duty@example.gov.cn" in output
    assert mail.outbox[0].subject == "[OpinionOps] 测试消息"


def test_tencent_sms_reads_keys_from_the_provider_environment(local_server, monkeypatch):
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKID-env")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "key-env")
    local_server.reply(json_body={"Response": {"SendStatusSet": [
        {"Code": "Ok", "SerialNo": "s-1"}], "RequestId": "r"}})

    output = run("--channel", "sms", "--provider", "tencent", "--to", "+8613800000000",
                 "--set", f"endpoint={local_server.url}", "--set", "sdk_app_id=1400000000",
                 "--set", "sign_name=舆情值班", "--set", "template_id=1")

    assert "provider id: s-1" in output
    assert "Credential=AKID-env/" in local_server.last.headers["authorization"]
    assert tencent.SERVICE in local_server.last.headers["authorization"]


def test_sms_console_needs_no_keys():
    output = run("--channel", "sms", "--provider", "console", "--to", "13800000000")

    assert output.startswith("开发环境未实际发送，收件人 13800000000：测试消息")
