"""What every robot protocol does: find the source by its token, check the size, read JSON,
check the signature, turn the message into items, and answer in the provider's shape."""
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from ..links import Item


class Refusal(Exception):
    """The push is refused: `code` and `message` in the provider's terms, and the HTTP status
    the provider answers with."""

    def __init__(self, code: int, message: str, status: int = 200,
                 retry_after: int | None = None):
        self.code, self.message, self.status = code, message, status
        self.retry_after = retry_after  # seconds, for a push over the rate limit
        super().__init__(f"{code} {message}")


@dataclass(frozen=True)
class Request:
    """What a protocol reads of an HTTP request (the view builds it; so does the admin's
    "send a sample" button and the bench)."""

    token: str
    query: dict
    body: bytes


class Protocol:
    kind: str = ""
    max_body_bytes: int = 20000
    # Refusals of the provider (code, message, HTTP status).
    bad_token: Refusal
    too_large: Refusal
    not_json: Refusal
    bad_sign: Refusal
    sign_expired: Refusal
    # Allowed clock difference between the sender's timestamp and ours, in seconds.
    sign_tolerance_seconds = 3600

    @classmethod
    def rate_limited(cls, limit: int, retry_after: int) -> Refusal:
        """The provider's answer to a sender over its pushes per minute."""
        raise NotImplementedError

    @classmethod
    def success(cls) -> tuple[dict, int]:
        raise NotImplementedError

    @classmethod
    def failure(cls, refusal: Refusal) -> tuple[dict, int]:
        raise NotImplementedError

    @classmethod
    def read_json(cls, body: bytes) -> dict:
        if len(body) > cls.max_body_bytes:
            raise cls.too_large
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise cls.not_json from None
        if not isinstance(payload, dict):
            raise cls.not_json
        return payload

    @classmethod
    def verify(cls, secret: str, request: Request, payload: dict, now: datetime) -> None:
        """Check the signature when the source has a secret; raise a Refusal otherwise."""
        raise NotImplementedError

    @classmethod
    def items(cls, payload: dict) -> list[Item]:
        raise NotImplementedError

    @classmethod
    def check_signature(cls, expected: str, given: str, timestamp_s: float | None,
                        now: datetime) -> None:
        if not given or timestamp_s is None:
            raise cls.bad_sign
        if abs(now.timestamp() - timestamp_s) > cls.sign_tolerance_seconds:
            raise cls.sign_expired
        if not hmac.compare_digest(expected, given):
            raise cls.bad_sign


def text_of(value) -> str:
    return value if isinstance(value, str) else ""


def number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
