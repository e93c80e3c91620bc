import logging

from notifications.channels.console import ConsoleChannel


def test_console_logs_the_sms_form_instead_of_sending(message, caplog):
    with caplog.at_level(logging.INFO, logger="notifications.console"):
        result = ConsoleChannel({}).send(message, "13800000000", "delivery-42")

    text = "首报逾期：某区网民聚集事件，已超时 15 分钟（C02） https://ops.example.gov.cn/incidents/42/"
    assert result.response == f"开发环境未实际发送，收件人 13800000000：{text}"
    assert "delivery-42" in caplog.text and text in caplog.text
