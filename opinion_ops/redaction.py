"""Secrets out of every text we keep: robot tokens, signatures, keys and passwords.

A DingTalk robot URL carries `access_token`, `timestamp` and `sign`; a WeCom one `key`; a Feishu
one its hook id in the path; a requests error repeats the whole URL. Whatever reaches a delivery
row, the append-only timeline or a log line passes through `redact()` first, because what the
timeline holds can never be taken out again.

Low-level wiring like `events.py`: it imports no app of the project, so the core (the timeline)
and the consumers (channels, deliveries) can both use it, and the logging config can load it.
"""
import functools
import logging
import re

MARKER = "[REDACTED]"

# A parameter, header or JSON key is secret when its whole name, or the last part of a dotted,
# dashed or underscored name (x-tc-timestamp, app.key), is one of these …
_SECRET_NAMES = frozenset({
    "access_token", "token", "key", "sign", "sig", "signature", "timestamp", "secret",
    "password", "passwd", "pass", "pwd", "apikey", "api_key", "auth", "authorization",
})
# … or when it contains one of these (refresh_token, client_secret, X-Amz-Credential,
# AccessKeyId) …
_SECRET_PARTS = ("token", "secret", "passw", "signature", "credential", "apikey", "api_key",
                 "accesskey", "access_key", "private_key", "privatekey")
# … unless it only describes how signing is done, or names an idempotency key, which is no
# credential and is useful to see.
_NOT_SECRET_SUFFIXES = ("method", "version", "nonce", "algorithm", "headers", "name", "type")
_NOT_SECRET_PREFIXES = ("idempotency",)


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """True for the name of a query parameter, header or JSON key whose value is a secret.
    Cached: a batch of breaches asks about the same few keys thousands of times."""
    lowered = name.lower().replace("-", "_")
    if lowered.startswith(_NOT_SECRET_PREFIXES):
        return False
    last = re.split(r"[_.]", lowered)[-1]
    if lowered in _SECRET_NAMES or last in _SECRET_NAMES:
        return True
    if lowered.endswith(_NOT_SECRET_SUFFIXES):
        return False
    return any(part in lowered for part in _SECRET_PARTS)


# Names are ASCII, and the text around them may be Chinese with no space between (错误token=…).
_NAME_CHARS = r"A-Za-z0-9_.\-"
# name=value in a query string, a form body or free text ("token=…"); the name must start
# where a name can start, so `design=` is never read as `sign=`.
_PLAIN_PAIR = re.compile(rf"(?<![{_NAME_CHARS}%])([A-Za-z_][{_NAME_CHARS}]*)=")
# A value ends at a separator or at anything but printable ASCII (a space, 。 or ，).
_PLAIN_VALUE_END = re.compile(r"[^\x21-\x7e]|[&#\"'<>\\]|\Z")
# The same inside a percent-encoded URL (…%3Faccess_token%3D…%26sign%3D…), also encoded twice.
_ENCODED_PAIR = re.compile(rf"(?i)%(?:25)*(?:3F|26)([A-Za-z_][{_NAME_CHARS}]*)%(?:25)*3D")
_ENCODED_VALUE_END = re.compile(r"(?i)%(?:25)*26|[^\x21-\x7e]|[&#\"'<>\\]|\Z")
# "token": "…" / 'sign': '…' / "timestamp": 1700000000000 in JSON or a Python repr.
_QUOTED_PAIR = re.compile(rf"(?<![A-Za-z0-9_\\])(\\?[\"'])([A-Za-z_][{_NAME_CHARS}]*)\1\s*:\s*")
# X-Api-Key: … / X-Auth-Token: … header lines (dashed names only: "secret: must start with
# SEC" in a validation message is prose, not a header).
_HEADER_PAIR = re.compile(r"(?<![A-Za-z0-9_\-])([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)\s*:\s*")
_HEADER_VALUE_END = re.compile(r"[^\x21-\x7e]|[\"',;]|\Z")
# Authorization: Bearer … / Token … / Basic … / TC3-HMAC-SHA256 Credential=…: keep the scheme.
_AUTHORIZATION = re.compile(
    r"(?i)(?<![A-Za-z0-9_\-])((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)"
    r"(?:([A-Za-z][\w\-]*)[ \t]+)?([^\s\"'][^\"'\r\n]*)")
_BEARER = re.compile(r"(?i)(?<![A-Za-z0-9_\-])(bearer)\s+[A-Za-z0-9\-._~+/]+=*")
# scheme://user:password@host
_USERINFO = re.compile(
    r"(?i)(?<![a-z0-9+.\-])([a-z][a-z0-9+.\-]*://[^\s/?#@:\"'<>]*):[^\s/?#@\"'<>]+@")
# Hook URLs whose path segment is the credential.
_PATH_TOKENS = re.compile(
    r"(?i)(open-apis(?:/|%2F)bot(?:/|%2F)v2(?:/|%2F)hook(?:/|%2F)"        # Feishu / Lark
    r"|hooks\.slack\.com(?:/|%2F)services(?:/|%2F)"                       # Slack
    r"|/api/webhooks/\d+/)"                                              # Discord
    r"([^/?#&%\s\"'<>]+(?:/[^/?#&%\s\"'<>]+)*)")


def redact(text: str) -> str:
    """`text` with every secret value replaced by MARKER; anything else is left as it was.

    Covers secret query parameters in plain and percent-encoded URLs and in free text
    (access_token, key, sign, timestamp, password …, case-insensitive), passwords in
    `scheme://user:password@host`, hook tokens in Feishu/Lark, Slack and Discord URL paths,
    `Authorization:` and `Bearer` credentials, secret headers and secret JSON keys.
    Redacting twice gives the same text.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if not text:
        return text
    if len(text) <= _CACHED_LENGTH:
        return _redact_short(text)
    return _redact(text)


# A batch of breaches or notices writes the same short notes and names hundreds of times (the
# regular expressions cost ~0.25 ms a text); redact() is a pure function of its text.
_CACHED_LENGTH = 300


@functools.lru_cache(maxsize=4096)
def _redact_short(text: str) -> str:
    return _redact(text)


def _redact(text: str) -> str:
    text = _USERINFO.sub(rf"\1:{MARKER}@", text)
    text = _PATH_TOKENS.sub(rf"\1{MARKER}", text)
    text = _AUTHORIZATION.sub(_authorization, text)
    text = _BEARER.sub(rf"\1 {MARKER}", text)
    text = _replace_values(text, _ENCODED_PAIR, _encoded_value)
    text = _replace_values(text, _PLAIN_PAIR, _plain_value)
    text = _replace_values(text, _QUOTED_PAIR, _quoted_value, name_group=2)
    return _replace_values(text, _HEADER_PAIR, _header_value)


def redact_data(value):
    """A copy of JSON-like data with secret strings redacted and the values of secret keys
    replaced by MARKER (booleans and empty values are kept: they reveal nothing)."""
    if isinstance(value, dict):
        return {key: _redact_item(key, item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_data(item) for item in value)
    if isinstance(value, str):
        return redact(value)
    return value


def _redact_item(key, item):
    if (isinstance(key, str) and is_secret_name(key)
            and item not in (None, "", [], {}) and not isinstance(item, bool)):
        return MARKER
    return redact_data(item)


class RedactingFilter(logging.Filter):
    """Redacts a record's message (with its arguments merged in), traceback and stack.

    Arguments are merged before redacting because a secret may be split between the format and
    an argument ("url=%s"). The record is changed in place, so handlers after this one see the
    redacted record too; the traceback is kept as redacted text (exc_text) and exc_info dropped,
    so no later formatter can render it again from the exception objects.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception as exc:  # noqa: BLE001 (logging must never raise)
            # A bad format must not stop logging; its arguments are dropped, since which of them
            # belongs to which name (and so which is a secret) cannot be known.
            message = f"{record.msg} (arguments dropped: {type(exc).__name__})"
        record.msg, record.args = redact(message), None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _authorization(match: re.Match) -> str:
    prefix, scheme, _credentials = match.groups()
    return f"{prefix}{scheme} {MARKER}" if scheme else f"{prefix}{MARKER}"


def _replace_values(text: str, pair: re.Pattern, value_span, name_group: int = 1) -> str:
    """Replace the value after each `pair` match whose name is secret. Other names are skipped
    without consuming their values, so `a=1;token=x` still finds `token`."""
    pieces, position = [], 0
    for match in pair.finditer(text):
        if match.start() < position or not is_secret_name(match.group(name_group)):
            continue
        start, end = value_span(text, match.end())
        already_redacted = text.startswith(MARKER, start) and end <= start + len(MARKER)
        if end <= start or already_redacted:
            continue
        pieces += [text[position:start], MARKER]
        position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


def _span_until(end_pattern: re.Pattern):
    def span(text: str, start: int) -> tuple[int, int]:
        return start, end_pattern.search(text, start).start()
    return span


_plain_value = _span_until(_PLAIN_VALUE_END)
_encoded_value = _span_until(_ENCODED_VALUE_END)
_header_value = _span_until(_HEADER_VALUE_END)
_bare_value = _span_until(re.compile(r"[,}\]\s]|\Z"))


def _quoted_value(text: str, start: int) -> tuple[int, int]:
    """A JSON or repr value: the inside of a quoted string (escapes honoured, and JSON held as
    a string inside JSON, with \\" quotes), or else a bare scalar."""
    if text.startswith(('\\"', "\\'"), start):
        closing = text.find(text[start:start + 2], start + 2)
        return start + 2, closing if closing >= 0 else len(text)
    if start >= len(text) or text[start] not in "\"'":
        return _bare_value(text, start)
    quote, index = text[start], start + 1
    while index < len(text) and text[index] != quote:
        index += 2 if text[index] == "\\" else 1
    return start + 1, min(index, len(text))
