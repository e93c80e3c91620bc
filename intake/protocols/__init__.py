"""The robot protocols OpinionOps speaks on the receiving side, one module per provider.

Each mirrors what notifications.channels sends to the real robot (same signing, same payload
shapes) and answers in that provider's shape, so a monitoring tool configured for a robot logs
success or the provider's own error unchanged.
"""
from .base import Protocol, Refusal
from .dingtalk import DingTalk
from .feishu import Feishu
from .wecom import WeCom

PROTOCOLS: dict[str, type[Protocol]] = {p.kind: p for p in (DingTalk, WeCom, Feishu)}

__all__ = ["PROTOCOLS", "DingTalk", "Feishu", "Protocol", "Refusal", "WeCom"]
