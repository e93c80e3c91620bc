"""Channel secrets at rest: a robot's URL (it carries the access token), signing secrets, an SMS
provider's key and a webhook's headers are stored encrypted (Fernet: AES-128-CBC with an
HMAC-SHA256, from the `cryptography` package), and shown again only as their last four
characters.

The key comes from the environment: NOTIFICATION_SECRET_KEYS, comma-separated Fernet keys
(`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`);
the first encrypts, every one decrypts, so a key is rotated by putting the new one first and
saving each channel again. Unset, the key is derived from SECRET_KEY (so a fresh machine and the
tests work), which ties the stored secrets to SECRET_KEY: production sets its own.

A stored value is `enc:` followed by the Fernet token; anything else is a value from before
encryption (migration 0002 seals those) and is read as it is.
"""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc:"
MASK = "••••"
# Per channel kind, the configuration keys that are credentials.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "dingtalk": ("url", "secret"),
    "wecom": ("url",),
    "feishu": ("url", "secret"),
    "webhook": ("secret", "headers"),
    "sms_aliyun": ("access_key_secret",),
    "sms_tencent": ("secret_key",),
    "sms_gateway": ("headers",),
}


class UnreadableSecret(Exception):
    """A stored secret that none of the configured keys decrypts (the key was changed)."""


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in getattr(settings, "NOTIFICATION_SECRET_KEYS", []) if k.strip()]
    if not configured:
        digest = hashlib.sha256(b"opinionops-channel-secrets:" + settings.SECRET_KEY.encode())
        configured = [base64.urlsafe_b64encode(digest.digest()).decode()]
    try:
        return MultiFernet([Fernet(key) for key in configured])
    except ValueError as exc:
        raise ImproperlyConfigured(f"NOTIFICATION_SECRET_KEYS: {exc}") from None


def _seal_value(value):
    if isinstance(value, dict):
        return {key: _seal_value(item) for key, item in value.items()}
    if isinstance(value, str) and value and not value.startswith(PREFIX):
        return PREFIX + _fernet().encrypt(value.encode("utf-8")).decode("ascii")
    return value


def _open_value(value):
    if isinstance(value, dict):
        return {key: _open_value(item) for key, item in value.items()}
    if isinstance(value, str) and value.startswith(PREFIX):
        try:
            return _fernet().decrypt(value[len(PREFIX):].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise UnreadableSecret("a channel secret cannot be decrypted with "
                                   "NOTIFICATION_SECRET_KEYS") from None
    return value


def _mask_value(value):
    if isinstance(value, dict):
        return {key: _mask_value(item) for key, item in value.items()}
    if isinstance(value, str) and value:
        return MASK + value[-4:]
    return value


def _map(kind: str, config, change) -> dict:
    if not isinstance(config, dict):
        return config
    fields = SECRET_FIELDS.get(kind, ())
    return {key: change(value) if key in fields else value for key, value in config.items()}


def seal(kind: str, config: dict) -> dict:
    """The configuration as it is stored: each credential encrypted (already sealed ones kept)."""
    return _map(kind, config, _seal_value)


def open_config(kind: str, config: dict) -> dict:
    """The configuration a channel is built from: every credential decrypted."""
    return _map(kind, config, _open_value)


def masked(kind: str, config: dict) -> dict:
    """The configuration as it may be shown: each credential as its last four characters."""
    return _map(kind, open_config(kind, config), _mask_value)


def keep_unchanged(kind: str, submitted: dict, stored: dict) -> tuple[dict, list[str]]:
    """A form's configuration with each credential the user left masked replaced by the stored
    one; the keys whose masked value does not match what is stored (to be typed in full)."""
    if not isinstance(submitted, dict):
        return submitted, []
    plain = open_config(kind, stored) if isinstance(stored, dict) else {}
    result, unmatched = dict(submitted), []
    for key in SECRET_FIELDS.get(kind, ()):
        if key not in submitted:
            continue
        value, old = submitted[key], plain.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            value = {name: old[name] if name in old and item == _mask_value(old[name]) else item
                     for name, item in value.items()}
            result[key] = value
            items = value.values()
        else:
            if old is not None and value == _mask_value(old):
                result[key] = value = old
            items = [value]
        if any(isinstance(item, str) and item.startswith(MASK) for item in items):
            unmatched.append(key)
    return result, unmatched
