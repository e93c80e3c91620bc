"""Registering a source, and the URL a monitoring tool is given for it (C06)."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import tokens
from opinion_ops.errors import InvalidInput
from organisation.models import Unit

from .models import IntakeSource, SourceKind


def intake_url(source: IntakeSource) -> str:
    """The address to paste into the tool's robot setting (it holds the token: a secret)."""
    base = settings.SITE_URL
    if source.kind == SourceKind.DINGTALK:
        return f"{base}{reverse('intake-dingtalk')}?access_token={source.token}"
    if source.kind == SourceKind.WECOM:
        return f"{base}{reverse('intake-wecom')}?key={source.token}"
    if source.kind == SourceKind.FEISHU:
        return f"{base}{reverse('intake-feishu', args=[source.token])}"
    return f"{base}{reverse('intake-lead-list')}"


def create_source(*, kind: str, name: str, unit_id: int, secret: str = "") -> IntakeSource:
    """Register a monitoring source of `unit` (C06). An API source gets a user of its own
    whose token authenticates its pushes."""
    errors = {}
    if kind not in SourceKind.values:
        errors["kind"] = _("类型无效：%s（可选 %s）") % (kind, "、".join(SourceKind.values))
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写名称")
    elif IntakeSource.objects.filter(name=name).exists():
        errors["name"] = _("已有同名来源：%s") % name
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        errors["unit"] = _("单位不存在：%s") % unit_id
    if secret and kind in (SourceKind.WECOM, SourceKind.API):
        errors["secret"] = _("该类型不支持签名密钥")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        source = IntakeSource(kind=kind, name=name, unit=unit, secret=secret)
        if kind == SourceKind.API:
            source.api_user = get_user_model().objects.create_user(
                username=f"intake-{source.token[:12]}", password=None)
        source.save()
    return source


def api_token(source: IntakeSource) -> str:
    """A new token for the source's pushes, named after it and expiring after
    INTAKE_TOKEN_DAYS: tokens are hashed at rest (accounts), so each call issues one, whose key
    is shown this once. The office revokes old ones at /tokens/."""
    return tokens.issue(source.api_user, name=f"intake: {source.name}",
                        days=settings.INTAKE_TOKEN_DAYS).key
