import pytest

from tests.support import console_office

# One login per role, and the superuser.
ROLES = ["admin", "office", "leader", "duty", "handler", "spokesperson", "auditor"]


@pytest.fixture
def office(db):
    """A small office with open incidents in every open state (tests.support.console_office)."""
    return console_office.build()
