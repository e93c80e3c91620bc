from .config import ChannelConfig, ChannelKind, NotifyEvent, NotifyRule, PersonChannel
from .delivery import Delivery, Notification
from .inbox import AckToken, InboxItem

__all__ = ["AckToken", "ChannelConfig", "ChannelKind", "Delivery", "InboxItem", "Notification",
           "NotifyEvent", "NotifyRule", "PersonChannel"]
