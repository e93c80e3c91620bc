"""Entry points the deadline engine calls after commit; delivery is built on them."""


def notice_created(notice_id: int) -> None:
    """An escalation rung was reached; its deliveries are queued here."""


def escalation_acknowledged(escalation_id: int) -> None:
    """A ladder was acknowledged; pending deliveries of it are cancelled here."""
