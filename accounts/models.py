"""API tokens: only a SHA-256 digest is stored, so a copy of the database lets nobody in.

A token is named (what it is for), optionally scoped to some of its owner's verbs, expires,
and is revoked by its owner, the office, or a change of its owner's password.
"""
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def digest(key: str) -> str:
    # The key is 24 random bytes, so an unsalted fast hash is enough (nothing to brute-force).
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("所有者"))
    name = models.CharField(_("名称"), max_length=100)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The last four characters, so a person can tell two tokens apart; never the key.
    last4 = models.CharField(_("末四位"), max_length=4, editable=False)
    # Verb names (incidents.verbs) this token may perform; empty: all of its owner's.
    verbs = models.JSONField(_("可执行的操作"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} (…{self.last4})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
