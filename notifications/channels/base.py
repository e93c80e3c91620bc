"""The interface every channel implements, its result and its one error type.

Modelled on Healthchecks' transports: a small base class, one class per channel, and one
exception whose `permanent` flag tells the delivery layer whether retrying can ever help.

Every text a channel hands back (an error, a provider's answer, a configuration problem) is
redacted here, where it is made: a robot's URL, token or signature never leaves a channel for a
delivery row, the timeline or a log.
"""
from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import ValidationError

from notifications.message import Message
from opinion_ops.redaction import redact

DEFAULT_TIMEOUT = 10.0
# Provider answers are stored on delivery rows; keep them readable, not unbounded.
MAX_RESPONSE_CHARS = 2000


class TransportError(Exception):
    """A send that did not succeed.

    permanent=True: the configuration or the message is wrong (bad token, bad signature,
    keyword rejected, 4xx); retrying the same send will fail the same way.
    permanent=False: the provider or the network is momentarily unable (timeout, 5xx,
    429, rate-limit codes); the same send may succeed later.
    """

    def __init__(self, message: str, *, permanent: bool, response: str | None = None):
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.response = truncate(response) if response is not None else None

    def __str__(self) -> str:
        if self.response:
            return f"{self.message}: {self.response}"
        return self.message


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it accepted the message."""

    response: str
    provider_id: str | None = None
    status: int | None = None  # the HTTP status of the provider's answer, where there was one

    def __post_init__(self):
        object.__setattr__(self, "response", redact(self.response))


class Channel:
    """One way of reaching people. Subclasses set `kind` and implement the two methods."""

    kind: ClassVar[str]

    def __init__(self, config: dict):
        self.config = self.validate_config(config)

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        """Return the normalised configuration or raise ValidationError keyed by field."""
        raise NotImplementedError

    def send(self, message: Message, recipient: str | None, idempotency_key: str) -> SendResult:
        raise NotImplementedError

    @property
    def timeout(self) -> float:
        return self.config["timeout"]


class ConfigErrors:
    """Collects per-field problems so a user sees all of them at once."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        # Messages quote the URL they refuse, and a delivery stores the message when it gives up.
        self.errors.setdefault(field, []).append(redact(message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def read_config(config: dict, errors: ConfigErrors, required=(), optional=()) -> dict:
    """Copy the known keys, stripping strings; report missing required ones."""
    if not isinstance(config, dict):
        errors.add("config", "Configuration must be a mapping of keys to values.")
        errors.raise_if_any()
    clean = {}
    for key in required:
        value = config.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            errors.add(key, f"This field is required: '{key}'.")
        clean[key] = value
    for key in optional:
        value = config.get(key)
        clean[key] = value.strip() if isinstance(value, str) else value
    clean["timeout"] = read_timeout(config, errors)
    return clean


def read_timeout(config: dict, errors: ConfigErrors) -> float:
    value = config.get("timeout", DEFAULT_TIMEOUT)
    try:
        timeout = float(value)
    except (TypeError, ValueError):
        errors.add("timeout", f"Timeout must be a number of seconds, got {value!r}.")
        return DEFAULT_TIMEOUT
    if not 0 < timeout <= 120:
        errors.add("timeout", "Timeout must be between 0 and 120 seconds.")
    return timeout


def truncate(text: str, limit: int = MAX_RESPONSE_CHARS) -> str:
    """The redacted text, cut to `limit` (redacted first, so a cut cannot split a name from
    its secret value)."""
    text = redact(text)
    return text if len(text) <= limit else text[:limit] + "…"


def check_url_prefix(errors: ConfigErrors, url: str | None, allowed_base: str,
                     field: str = "url") -> None:
    """Robot URLs must point at the provider (or at `base_url` when that is overridden).

    Comparing the prefix up to a path boundary stops look-alikes such as
    'https://oapi.dingtalk.com.evil.example/robot/send'.
    """
    if not url:
        return
    base = allowed_base.rstrip("/?")
    rest = url[len(base):] if url.startswith(base) else None
    if rest is None or (rest and rest[0] not in "/?"):
        errors.add(field, f"URL must start with {allowed_base}, got {url!r}.")
