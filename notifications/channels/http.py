"""The single outbound HTTP door for every channel, and the one place tests could patch.

Each call carries an explicit timeout, never follows redirects (a robot URL that redirects is
misconfigured, and following it would send message content somewhere unintended), and turns
network failures into a transient TransportError.

A requests error repeats the URL it failed on, query string and all (a robot's access_token,
timestamp and sign). TransportError redacts the text it is given, and the original is not
chained to it, so no traceback of a delivery can print the unredacted URL either.
"""
import requests

from notifications.channels import addresses
from notifications.channels.base import TransportError

USER_AGENT = "OpinionOps-notifications/1"


def request(method: str, url: str, *, timeout: float, headers: dict | None = None,
            data: bytes | str | None = None) -> requests.Response:
    all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    refused = addresses.refusal(url)
    if refused:  # SSRF: never this machine, its network or a metadata service, unless allowed
        raise TransportError(f"Refused: {refused}", permanent=True)
    try:
        return requests.request(method, url, headers=all_headers, data=data, timeout=timeout,
                                allow_redirects=False)
    except requests.Timeout:
        raise TransportError(f"Timed out after {timeout:g} s", permanent=False) from None
    except requests.ConnectionError as exc:
        raise TransportError(f"Connection failed: {exc}", permanent=False) from None
    except requests.RequestException as exc:
        raise TransportError(f"HTTP request failed: {exc}", permanent=False) from None


def raise_for_status(response: requests.Response) -> None:
    """5xx, 429 and 408 may pass; any other non-2xx answer will not change on retry."""
    status = response.status_code
    if 200 <= status < 300:
        return
    transient = status >= 500 or status in (408, 429)
    raise TransportError(f"HTTP {status}", permanent=not transient, response=response.text)


def json_body(response: requests.Response) -> dict:
    """The provider's JSON answer; anything else from a 2xx is a broken middlebox, so retry."""
    try:
        body = response.json()
    except ValueError as exc:
        raise TransportError("Provider answered with non-JSON", permanent=False,
                             response=response.text) from exc
    if not isinstance(body, dict):
        raise TransportError("Provider answered with unexpected JSON", permanent=False,
                             response=response.text)
    return body
