import pytest
import time_machine

from tests.responses.helpers import T0, staff_office


@pytest.fixture
def office(org):
    return staff_office(org)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller
