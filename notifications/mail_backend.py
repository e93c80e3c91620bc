"""The development mail backend: each e-mail is one INFO line in the log, not a raw dump on
stdout.

Django's console backend writes every message (headers, both alternatives, base64 and all) to
standard output, outside logging: in the demo it buried the log and could not be filtered or
levelled. This one logs who it was to, the subject and the plain text at INFO on
"notifications.mail", so the demo's log reads like the rest.
"""
import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("notifications.mail")


class LoggingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages or ():
            logger.info("e-mail to %s: %s\n%s", ", ".join(message.recipients()),
                        message.subject, message.body)
            sent += 1
        return sent
