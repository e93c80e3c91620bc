"""What an action can refuse, in terms the API, views and commands map to their own errors."""
from django.utils.translation import gettext as _


class ActionError(Exception):
    """Base class: the action changed nothing."""


class TransitionNotAllowed(ActionError):
    """The incident's current state does not allow the step (HTTP 409)."""

    def __init__(self, verb: str, state: str, state_label: str, reason: str = ""):
        self.verb, self.state = verb, state
        message = _("当前状态为“%(label)s”（%(state)s），不能执行 %(verb)s") % {
            "label": state_label, "state": state, "verb": verb}
        super().__init__(f"{message}{'：' + reason if reason else ''}")


class StaleRevision(ActionError):
    """The caller acted on an older version of the incident (HTTP 409)."""

    def __init__(self, expected: int, actual: int):
        self.expected, self.actual = expected, actual
        super().__init__(_("事件已被他人修改（您的版本 %(expected)s，当前版本 %(actual)s），请刷新后重试")
                         % {"expected": expected, "actual": actual})


class NotPermitted(ActionError):
    """The actor's role does not allow the step (HTTP 403)."""


class InvalidInput(ActionError):
    """A value the step needs is missing or wrong (HTTP 400); `errors` maps field → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))
