"""A ward center with three areas and three counters, and helpers to move time on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from accounts.models import Role, User
from accounts.tests.factories import staff_user
from deadlines.engine import VN_TZ
from queueing.board import hub, wsgi_streams
from queueing.models import Counter, Policy, PriorityGroup, QueueSettings, ServiceArea
from units.models import Unit

MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)


AT_NINE = MONDAY.replace(hour=9)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def monday_morning() -> Iterator[object]:
    """The clock at 09:00 on Monday 2 March 2026, running on (for the page tests)."""
    with time_machine.travel(AT_NINE, tick=True) as traveller:
        yield traveller


def minutes(n: float) -> dt.datetime:
    """A moment ``n`` minutes after 08:00 on Monday 2 March 2026."""
    return MONDAY + dt.timedelta(minutes=n)


@pytest.fixture
def civil(ward_center: Unit) -> ServiceArea:
    return ServiceArea.objects.create(
        center=ward_center, name_vi="Hộ tịch", name_en="Civil status", number_base=1000, position=0
    )


@pytest.fixture
def land(ward_center: Unit) -> ServiceArea:
    return ServiceArea.objects.create(
        center=ward_center, name_vi="Đất đai", name_en="Land", number_base=2000, position=1
    )


@pytest.fixture
def residence(ward_center: Unit) -> ServiceArea:
    return ServiceArea.objects.create(
        center=ward_center, name_vi="Cư trú", name_en="Residence", number_base=3000, position=2
    )


@pytest.fixture
def queue_settings(ward_center: Unit) -> QueueSettings:
    return QueueSettings.objects.create(center=ward_center, recalls_before_no_show=2)


@pytest.fixture
def elderly(db: None) -> PriorityGroup:
    return PriorityGroup.objects.get(code="elderly")


@pytest.fixture
def counter(ward_center: Unit, civil: ServiceArea, desk_officer: User) -> Counter:
    """Counter 1, serving civil status, with the desk officer sitting at it."""
    from queueing.services import counter_open

    desk = Counter.objects.create(center=ward_center, number=1)
    desk.areas.set([civil])
    return counter_open(counter=desk, actor=desk_officer, at=MONDAY)


@pytest.fixture
def second_officer(ward_center: Unit) -> User:
    return staff_user("desk2", ward_center, Role.DESK_OFFICER)


@pytest.fixture
def counter_two(
    ward_center: Unit, civil: ServiceArea, land: ServiceArea, second_officer: User
) -> Counter:
    from queueing.services import counter_open

    desk = Counter.objects.create(center=ward_center, number=2)
    desk.areas.set([civil, land])
    return counter_open(counter=desk, actor=second_officer, at=MONDAY)


def set_policy(area: ServiceArea, policy: str, **extra: int) -> ServiceArea:
    area.policy = policy
    for name, value in extra.items():
        setattr(area, name, value)
    area.save()
    return area


@pytest.fixture
def board_streams_closed() -> Iterator[None]:
    """Request it last: the live server's board streams end while the test database is open."""
    yield
    wsgi_streams.close_all()


@pytest.fixture(autouse=True)
def _board_hub_stopped() -> Iterator[None]:
    yield
    hub.stop()  # no thread keeps a database connection past a test


__all__ = ["MONDAY", "Policy", "minutes", "set_policy"]
