"""Channels: one module per way of reaching people, all behind notifications.channels.base."""
from notifications.channels.base import Channel, SendResult, TransportError
from notifications.channels.registry import build_channel, channel_class, channel_kinds

__all__ = ["Channel", "SendResult", "TransportError", "build_channel", "channel_class",
           "channel_kinds"]
