"""A partly-online procedure: what to bring, and a time booked at the desk to bring it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Procedure
from notify.models import Message
from portal.tests.conftest import file_online, import_procedures
from queueing.models import Appointment, ServiceArea, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def marriage(resident, ward_center):
    import_procedures("1.000894")
    case = Procedure.objects.get(code="1.000894").current_version.cases.order_by("position")[0]
    return file_online(resident, case, ward_center)


@pytest.fixture
def slot(ward_center) -> Slot:
    area = ServiceArea.objects.create(center=ward_center, name_vi="Hộ tịch", number_base=1000)
    area.procedures.add(Procedure.objects.get(code="1.000894"))
    return Slot.objects.create(
        area=area,
        day=timezone.localdate() + dt.timedelta(days=1),
        starts_at=dt.time(8, 0),
        ends_at=dt.time(8, 30),
        capacity=2,
    )


def test_partly_online_dossier_says_what_to_bring_and_books_a_time(
    client, resident, neighbour, marriage, slot
) -> None:
    url = reverse("portal:dossier", args=[marriage.pk])
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert "Tờ khai đăng ký kết hôn" in page  # an original still goes to the desk
    assert f'value="{slot.pk}"' in page

    book = reverse("portal:book", args=[marriage.pk])
    client.force_login(neighbour)
    assert client.post(book, {"slot": str(slot.pk), "phone": "0912000000"}).status_code == 404

    client.force_login(resident)
    response = client.post(book, {"slot": str(slot.pk), "phone": "0905123456"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.booked_by == resident and appointment.name == "Lê Vĩnh Huỳnh"
    assert Message.objects.filter(to="0905123456", key__startswith="queue-appointment").exists()
    page = client.get(url).content.decode()
    assert appointment.code in page
    assert f'value="{slot.pk}"' not in page


def test_without_bookable_times_the_hours_are_shown(client, resident, marriage) -> None:
    client.force_login(resident)
    page = client.get(reverse("portal:dossier", args=[marriage.pk])).content.decode()
    assert "07:00" in page
    assert 'name="slot"' not in page
    response = client.post(
        reverse("portal:book", args=[marriage.pk]), {"slot": "x", "phone": "0905123456"}
    )
    assert response.status_code == 302
    assert not Appointment.objects.exists()
