"""Where a channel may send: never to this machine, its network or a cloud metadata service
unless the operator listed the address (SSRF).

A channel URL whose host is, or resolves to, a loopback, link-local (169.254.169.254, the
metadata service), private, shared, reserved or multicast address is refused, unless the host
or the address is in NOTIFICATION_ALLOWED_PRIVATE_HOSTS (comma-separated host names, addresses
or CIDR ranges: an office's SMS gateway on 10.1.2.3, the tests' local servers on 127.0.0.1).
Every address a name resolves to must pass, so a name with one public and one private address
is refused. Redirects are never followed (notifications.channels.http), so a public host cannot
send the request on to a private one.

The check runs on every request, just before it (http.request), and when a channel is saved.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _allowed() -> tuple[set[str], list]:
    names, networks = set(), []
    for entry in getattr(settings, "NOTIFICATION_ALLOWED_PRIVATE_HOSTS", []):
        entry = entry.strip().lower()
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry)
    return names, networks


def _public(address: Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_global and not (mapped or address).is_multicast


def resolve(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise LookupError(f"{host} does not resolve: {exc}") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]


def refusal(url: str, *, unresolvable_ok: bool = False) -> str | None:
    """Why a request to `url` may not be made, or None. When a channel is saved a name that
    does not resolve yet passes (`unresolvable_ok`): the check before each request still
    applies to whatever it resolves to then."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"not an absolute http(s) URL: {parts.scheme}://{host}"
    names, networks = _allowed()
    if host in names:
        return None
    try:
        addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except LookupError as exc:
        return None if unresolvable_ok else str(exc)
    for address in addresses:
        if not _public(address) and not any(address in net for net in networks):
            return (f"{host} is {address}, an internal address; add it to "
                    f"NOTIFICATION_ALLOWED_PRIVATE_HOSTS to allow it")
    return None
