import pytest

from tests.appointments.support import Bookings


@pytest.fixture
def bookings(make, world):
    return Bookings(make, world)
