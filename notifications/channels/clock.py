"""The one place channels read the time, so tests can pin it (signatures embed timestamps)."""
from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
