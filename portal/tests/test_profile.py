"""The profile, read from an ID card's QR or typed once, and the wallet of papers."""

import pytest
from django.urls import reverse

from dossiers.models import Applicant, DigitisedPaper
from dossiers.papers import paper_digitise
from portal.models import Profile
from portal.tests.conftest import pdf

pytestmark = pytest.mark.django_db

CARD = (
    "054089001234|197123456|Lê Vĩnh Huỳnh|02031989|Nam|"
    "12 Nguyễn Thái Học, Phường Tuy Hòa, Đắk Lắk|01072021"
)


def test_id_card_qr_fills_the_form_without_saving(client, resident) -> None:
    Profile.objects.filter(user=resident).update(full_name="", id_number="", address="")
    client.force_login(resident)
    response = client.post(reverse("portal:profile"), {"action": "card", "qr": CARD})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="054089001234"' in body
    assert 'value="1989-03-02"' in body
    assert "12 Nguyễn Thái Học" in body
    assert Profile.objects.get(user=resident).id_number == ""


def test_a_bad_scan_says_what_is_wrong(client, resident) -> None:
    client.force_login(resident)
    body = client.post(
        reverse("portal:profile"), {"action": "card", "qr": "hello"}
    ).content.decode()
    assert "field-error" in body


def test_saving_the_profile(client, resident, ward) -> None:
    client.force_login(resident)
    data = {
        "full_name": "Lê Vĩnh Huỳnh",
        "id_number": "0540 8900 1234",
        "birth_date": "1989-03-02",
        "sex": "male",
        "address": "12 Nguyễn Thái Học",
        "phone": "0905123456",
        "email": "",
        "ward": str(ward.pk),
    }
    response = client.post(reverse("portal:profile"), data)
    assert response.status_code == 302
    profile = Profile.objects.get(user=resident)
    assert profile.id_number == "054089001234" and profile.ward == ward
    bad = client.post(reverse("portal:profile"), {**data, "id_number": "123"})
    assert bad.status_code == 200
    assert Profile.objects.get(user=resident).id_number == "054089001234"


def test_profile_is_for_citizens(client, desk_officer) -> None:
    assert client.get(reverse("portal:profile")).status_code == 302
    client.force_login(desk_officer)
    assert client.get(reverse("portal:profile")).status_code == 403


def test_wallet_lists_and_serves_only_the_owners_papers(client, resident, neighbour) -> None:
    mine = Applicant.objects.create(
        full_name="Lê Vĩnh Huỳnh", id_number="054089001234", user=resident
    )
    theirs = Applicant.objects.create(
        full_name="Trần Thị Bé", id_number="054190004321", user=neighbour
    )
    my_paper = paper_digitise(applicant=mine, name="Giấy khai sinh", upload=pdf())
    their_paper = paper_digitise(applicant=theirs, name="Sổ đỏ", upload=pdf(extra=b"x"))
    client.force_login(resident)
    body = client.get(reverse("portal:wallet")).content.decode()
    assert "Giấy khai sinh" in body and "Sổ đỏ" not in body
    assert client.get(reverse("portal:paper", args=[my_paper.pk])).status_code == 200
    assert client.get(reverse("portal:paper", args=[their_paper.pk])).status_code == 404
    assert DigitisedPaper.objects.count() == 2


def test_every_help_text_is_the_one_its_field_points_to(client, resident) -> None:
    import re

    client.force_login(resident)
    page = client.get(reverse("portal:profile")).content.decode()
    pointed = set(re.findall(r'aria-describedby="([^"]+)"', page))
    assert pointed
    for ids in pointed:
        for target in ids.split():
            assert f'id="{target}"' in page, target
