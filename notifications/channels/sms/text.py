"""The short form of a message for SMS: one line, about one 70-character segment, with the link.

Template-based providers (Alibaba Cloud, Tencent Cloud) cannot take free text; they get the
named fields below as template variables instead.
"""
from notifications.channels.base import ConfigErrors
from notifications.message import Message

SEGMENT_CHARS = 70


def render_sms_text(message: Message) -> str:
    link = message.action_url
    budget = SEGMENT_CHARS - len(link) - 1
    incident = message.incident_title
    head = _head(message, incident)
    overflow = len(head) - budget
    # Shorten the incident title first: the deadline, status and clause are what to act on.
    if overflow > 0 and len(incident) > 4:
        keep = max(len(incident) - overflow - 1, 4)
        incident = incident[:keep] + "…"
        head = _head(message, incident)
    return f"{head} {link}"


def _head(message: Message, incident: str) -> str:
    return f"{_lead(message)}：{incident}，{message.status_display()}（{message.clause}）"


def _lead(message: Message) -> str:
    """The title without the incident when it names it ("【超时】书面报告 — #42 网传…"): the SMS
    says the incident once, shortened once from its full title, not its short form again."""
    ref = message.incident_id
    if ref and ref in message.title:
        lead = message.title.split(ref, 1)[0].rstrip(" —-")
        return f"{lead} {ref}" if lead else ref
    return message.title


def sms_fields(message: Message) -> dict[str, str]:
    """Values a provider template may refer to, by name."""
    return {
        "text": render_sms_text(message),
        "title": message.title,
        "incident_id": message.incident_id,
        "incident": message.incident_title,
        "deadline": message.deadline_label,
        "due": message.due_display(),
        "status": message.status_display(),
        "overdue": str(message.overdue_minutes),
        "clause": message.clause,
        "level": str(message.escalation_level),
        "link": message.action_url,
        "ack": message.ack_url or "",
    }


FIELD_NAMES = ("text", "title", "incident_id", "incident", "deadline", "due", "status",
               "overdue", "clause", "level", "link", "ack")
DEFAULT_TEMPLATE_PARAMS = ["title", "status", "link"]


def read_template_params(value, errors: ConfigErrors, field: str = "template_params") -> list:
    """The message fields a provider template takes, in the template's order."""
    if value in (None, "", []):
        return list(DEFAULT_TEMPLATE_PARAMS)
    if isinstance(value, str):
        value = [name.strip() for name in value.split(",") if name.strip()]
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        errors.add(field, "template_params must be a list of field names.")
        return []
    unknown = [name for name in value if name not in FIELD_NAMES]
    if unknown:
        errors.add(field, f"Unknown template fields {', '.join(unknown)}; "
                          f"choose from {', '.join(FIELD_NAMES)}.")
    return value
