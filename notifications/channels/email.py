"""E-mail through Django's configured backend (SMTP in production, locmem in tests)."""
import hashlib
import smtplib
from html import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from notifications.channels.base import (Channel, ConfigErrors, SendResult, TransportError,
                                         read_config)
from notifications.message import Message

DEFAULT_SUBJECT_PREFIX = "[OpinionOps] "


def header_text(text: str, limit: int = 200) -> str:
    """A header value from free text (an incident's title): line breaks and other control
    characters become spaces, so no header can be ended or added, and Django's send never
    raises BadHeaderError on it; cut to `limit` characters."""
    single = " ".join("".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text).split())
    return single if len(single) <= limit else single[:limit - 1] + "…"


def message_id(idempotency_key: str, domain: str) -> str:
    """The same Message-ID on every retry, so mail systems and clients can fold duplicates."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def render_text(message: Message) -> str:
    lines = [message.title, ""]
    lines += [f"{label}：{value}" for label, value in message.facts()]
    if message.body:
        lines += ["", message.body]
    lines += ["", f"{message.action_label()}：{message.action_url}"]
    if message.ack_url:
        lines.append(f"{message.ack_label()}：{message.ack_url}")
    return "\n".join(lines) + "\n"


def render_html(message: Message) -> str:
    rows = "".join(f"<tr><th align=\"left\">{escape(label)}</th><td>{escape(value)}</td></tr>"
                   for label, value in message.facts())
    body = f"<p>{escape(message.body)}</p>" if message.body else ""
    links = f"<a href=\"{escape(message.action_url)}\">{escape(message.action_label())}</a>"
    if message.ack_url:
        links += (f" | <a href=\"{escape(message.ack_url)}\">"
                  f"{escape(message.ack_label())}</a>")
    return (f"<html><body><h3>{escape(message.title)}</h3><table>{rows}</table>{body}"
            f"<p>{links}</p></body></html>")


class EmailChannel(Channel):
    kind = "email"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(config, errors, optional=["from_email", "subject_prefix"])
        clean["from_email"] = clean["from_email"] or settings.DEFAULT_FROM_EMAIL
        try:
            validate_email(clean["from_email"].rsplit("<", 1)[-1].rstrip(">"))
        except ValidationError:
            errors.add("from_email", _("不是有效的邮箱地址：%s") % clean['from_email'])
        if clean["subject_prefix"] is None:
            clean["subject_prefix"] = DEFAULT_SUBJECT_PREFIX
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        try:
            validate_email(recipient or "")
        except ValidationError:
            raise TransportError(_("不是有效的邮箱地址：%s") % recipient, permanent=True) from None
        domain = self.config["from_email"].rsplit("@", 1)[-1].rstrip(">") or "opinionops"
        mid = message_id(idempotency_key, domain)
        email = EmailMultiAlternatives(
            subject=header_text(f"{self.config['subject_prefix']}{message.title}"),
            body=render_text(message),
            from_email=self.config["from_email"],
            to=[recipient],
            headers={"Message-ID": mid},
        )
        email.attach_alternative(render_html(message), "text/html")
        try:
            email.send(fail_silently=False)
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(_("邮件服务器未接收：%s") % exc,
                                 permanent=_smtp_permanent(exc)) from exc
        return SendResult(response=_("邮件服务器已接收，收件人 %s") % recipient, provider_id=mid)


def _smtp_permanent(exc: Exception) -> bool:
    """SMTP's own rule: 5xx replies are final, 4xx (greylisting, full queue) are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, smtplib.SMTPNotSupportedError)
