"""How the chat robots answer: HTTP 200 with a JSON error code, where 0 means delivered."""
import json

import requests

from notifications.channels import http
from notifications.channels.base import SendResult, TransportError, truncate


def post_json(url: str, payload: dict, *, timeout: float, headers: dict | None = None):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return http.request("POST", url, timeout=timeout, data=body,
                        headers={"Content-Type": "application/json; charset=utf-8",
                                 **(headers or {})})


def check_reply(response: requests.Response, *, code_keys: tuple[str, ...], provider: str,
                transient_codes: frozenset[int]) -> SendResult:
    """Read the robot's error code; rate limits and 'busy' retry, every other code is final.

    Codes other than the documented rate limits mean a bad token, a failed signature, a
    keyword or IP rule, or a malformed message: sending the same thing again cannot help.
    """
    http.raise_for_status(response)
    body = http.json_body(response)
    code = next((body[key] for key in code_keys if key in body), None)
    if code is None:
        raise TransportError(f"{provider} answered without an error code", permanent=False,
                             response=response.text)
    try:
        code = int(code)
    except (TypeError, ValueError):
        raise TransportError(f"{provider} answered with error code {code!r}", permanent=True,
                             response=response.text) from None
    if code != 0:
        raise TransportError(f"{provider} error {code}", permanent=code not in transient_codes,
                             response=response.text)
    return SendResult(response=truncate(response.text), status=response.status_code)
