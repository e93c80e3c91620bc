"""Development backend: writes the SMS form of a message to the log instead of sending it."""
import logging

from django.utils.translation import gettext as _

from notifications.channels.base import Channel, ConfigErrors, SendResult, read_config
from notifications.channels.sms.text import render_sms_text

logger = logging.getLogger("notifications.console")


class ConsoleChannel(Channel):
    kind = "console"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(config or {}, errors)
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        text = render_sms_text(message)
        logger.info("notification to %s [%s]: %s", recipient or "-", idempotency_key, text)
        return SendResult(response=_("开发环境未实际发送，收件人 %(to)s：%(text)s") % {
            "to": recipient or "—", "text": text})
