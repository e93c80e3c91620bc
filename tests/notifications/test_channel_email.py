import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from notifications.channels.base import TransportError
from notifications.channels.email import EmailChannel

from .conftest import field_errors


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "alerts@ops.example.gov.cn"


def test_email_has_subject_text_html_and_a_message_id_from_the_key(message):
    result = EmailChannel({}).send(message, "duty@example.gov.cn", "delivery-42")

    [sent] = mail.outbox
    assert sent.to == ["duty@example.gov.cn"]
    assert sent.from_email == "alerts@ops.example.gov.cn"
    assert sent.subject == "[OpinionOps] 首报逾期"
    assert sent.body == (
        "首报逾期\n\n"
        "事件：INC-2026-0042 某区网民聚集事件\n"
        "事项：首次报告\n"
        "截止时间：2026-11-23 14:30\n"
        "状态：已超时 15 分钟\n"
        "预案条款：C02\n"
        "升级级别：2\n\n"
        "请立即上报。\n\n"
        "立即处理：https://ops.example.gov.cn/incidents/42/\n"
        "确认收到：https://ops.example.gov.cn/ack/abc123/\n"
    )
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert '<a href="https://ops.example.gov.cn/ack/abc123/">确认收到</a>' in html
    assert "<td>2026-11-23 14:30</td>" in html
    message_id = sent.extra_headers["Message-ID"]
    assert message_id.endswith("@ops.example.gov.cn>")
    assert result.provider_id == message_id
    assert str(sent.message()["Message-ID"]) == message_id


def test_retry_of_the_same_delivery_reuses_the_message_id(message):
    channel = EmailChannel({})
    channel.send(message, "duty@example.gov.cn", "delivery-42")
    channel.send(message, "duty@example.gov.cn", "delivery-42")
    channel.send(message, "duty@example.gov.cn", "delivery-43")

    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert ids[0] == ids[1] != ids[2]


def test_html_escapes_incident_text(message):
    from dataclasses import replace
    EmailChannel({}).send(replace(message, incident_title="<script>x</script>"),
                          "duty@example.gov.cn", "k")

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_bad_recipient_is_permanent(message):
    with pytest.raises(TransportError) as excinfo:
        EmailChannel({}).send(message, "not-an-address", "k")

    assert excinfo.value.permanent is True
    assert mail.outbox == []


def test_smtp_refusals_follow_the_reply_code(message, settings, monkeypatch):
    import smtplib

    def refuse(code):
        def send_messages(self, messages):
            raise smtplib.SMTPRecipientsRefused({"duty@example.gov.cn": (code, b"no")})
        return send_messages

    from django.core.mail.backends import locmem
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse(550))
    with pytest.raises(TransportError) as excinfo:
        EmailChannel({}).send(message, "duty@example.gov.cn", "k")
    assert excinfo.value.permanent is True

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse(451))
    with pytest.raises(TransportError) as excinfo:
        EmailChannel({}).send(message, "duty@example.gov.cn", "k")
    assert excinfo.value.permanent is False


def test_unreachable_mail_server_is_transient(message, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9
    settings.EMAIL_TIMEOUT = 0.2

    with pytest.raises(TransportError) as excinfo:
        EmailChannel({}).send(message, "duty@example.gov.cn", "k")

    assert excinfo.value.permanent is False


def test_bad_from_address_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        EmailChannel.validate_config({"from_email": "nobody"})

    assert "不是有效的邮箱地址" in field_errors(excinfo)["from_email"]
