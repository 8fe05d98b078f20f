"""A signed-in citizen's dossiers: only their own, papers asked for, the result, the rating."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from dossiers import services as s
from dossiers.models import Dossier, Status
from dossiers.services import PaperIn, supplement_uploads
from dossiers.tests.fixtures import all_papers
from portal.models import Delivery, Rating
from portal.services import rating_give
from portal.tests.conftest import drive_to_returned, file_online, pdf, taken_at_desk

pytestmark = pytest.mark.django_db


def test_my_dossiers_shows_only_the_owners(
    client, resident, neighbour, filed, ward_case, ward_center, desk_officer, applicant_in
) -> None:
    theirs = file_online(neighbour, ward_case, ward_center)
    # Taken in at the desk: not the desk officer's "own" dossier.
    at_desk = s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=ward_case,
        applicant=applicant_in,
        papers=all_papers(ward_case),
    )
    client.force_login(resident)
    body = client.get(reverse("portal:mine")).content.decode()
    assert filed.code in body
    assert theirs.code not in body
    # The desk dossier belongs to the resident's own applicant record (same ID number,
    # linked when the resident filed online with the phone the desk also holds).
    assert (at_desk.code in body) == (at_desk.applicant.user_id == resident.pk)

    client.force_login(desk_officer)
    assert client.get(reverse("portal:mine")).status_code == 403
    client.force_login(neighbour)
    assert client.get(reverse("portal:dossier", args=[filed.pk])).status_code == 404
    assert client.get(reverse("portal:dossier", args=[theirs.pk])).status_code == 200


def test_history_due_date_and_next_step_in_plain_words(
    client, resident, filed, desk_officer
) -> None:
    s.dossier_receive(actor=desk_officer, dossier=filed)
    client.force_login(resident)
    body = client.get(reverse("portal:dossier", args=[filed.pk])).content.decode()
    assert 'data-testid="due"' in body
    assert 'data-testid="history"' in body
    assert "processing time counts in working hours" in body or "theo giờ làm việc" in body


def test_supplement_uploaded_online_waits_for_the_desk(
    client, resident, neighbour, filed, desk_officer
) -> None:
    dossier = s.dossier_receive(actor=desk_officer, dossier=filed)
    s.dossier_request_supplement(
        actor=desk_officer, dossier=dossier, items=["Bản sao sổ hộ khẩu"], note=""
    )
    url = reverse("portal:supplement", args=[filed.pk])
    client.force_login(neighbour)
    assert client.post(url, {"file": pdf()}).status_code == 404

    client.force_login(resident)
    page = client.get(reverse("portal:dossier", args=[filed.pk])).content.decode()
    assert "Bản sao sổ hộ khẩu" in page
    response = client.post(url, {"name": "Bản sao sổ hộ khẩu", "file": pdf(extra=b"s")})
    assert response.status_code == 302
    # Sent again after a lost answer: kept once.
    client.post(
        url, {"name": "Bản sao sổ hộ khẩu", "file": pdf(extra=b"s")}, headers={"HX-Request": "true"}
    )
    arrived = supplement_uploads(Dossier.objects.get(pk=filed.pk))
    assert [c.name for c in arrived] == ["Bản sao sổ hộ khẩu"]
    assert Dossier.objects.get(pk=filed.pk).status == Status.SUPPLEMENT_REQUESTED

    # The desk accepts them: the clock runs again.
    dossier = s.dossier_receive_supplement(
        actor=desk_officer, dossier=filed, papers=[PaperIn(name="Bản sao sổ hộ khẩu")]
    )
    assert dossier.status == Status.RECEIVED
    assert client.post(url, {"file": pdf(extra=b"t")}).status_code == 302
    assert len(supplement_uploads(dossier)) == 1


def test_result_download_for_the_owner_only(
    client, resident, neighbour, filed, desk_officer, approver
) -> None:
    dossier = drive_to_returned(filed, desk_officer, approver)
    url = reverse("portal:result", args=[dossier.pk])

    client.force_login(resident)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(neighbour)
    assert client.get(url).status_code == 404
    client.force_login(desk_officer)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_no_result_before_it_is_ready(client, resident, filed) -> None:
    client.force_login(resident)
    assert client.get(reverse("portal:result", args=[filed.pk])).status_code == 404


def test_choice_of_collecting_by_post(client, resident, neighbour, filed) -> None:
    url = reverse("portal:delivery", args=[filed.pk])
    client.force_login(resident)
    client.post(url, {"delivery": "post", "address": ""})
    assert Delivery.objects.get(dossier=filed).channel == "online"
    client.post(url, {"delivery": "post", "address": "12 Nguyễn Thái Học"})
    assert Delivery.objects.get(dossier=filed).address == "12 Nguyễn Thái Học"
    client.force_login(neighbour)
    assert client.post(url, {"delivery": "direct"}).status_code == 404


def test_rating_once_per_dossier(
    client, resident, neighbour, filed, desk_officer, approver
) -> None:
    url = reverse("portal:rate", args=[filed.pk])
    client.force_login(resident)
    client.post(url, {"level": "satisfied"})
    assert not Rating.objects.exists()  # not yet handed over

    drive_to_returned(filed, desk_officer, approver)
    client.force_login(neighbour)
    assert client.post(url, {"level": "dissatisfied"}).status_code == 404
    client.force_login(resident)
    client.post(url, {"level": "very_satisfied", "comment": "Nhanh, không phải đi lại."})
    client.post(url, {"level": "dissatisfied"})
    rating = Rating.objects.get()
    assert rating.level == "very_satisfied"
    assert rating.received_by == desk_officer and rating.returned_by == desk_officer
    assert rating.agency_id == filed.competent_unit_id
    assert rating.center_id == filed.receiving_unit_id
    # The database refuses a second one, whatever the code above does.
    with pytest.raises(IntegrityError):
        Rating.objects.create(
            dossier=filed, level="satisfied", center_id=rating.center_id, agency_id=rating.agency_id
        )


def test_rating_with_the_receipt_without_account(
    client, desk_officer, approver, ward_case, ward_center, applicant_in
) -> None:
    dossier = s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=ward_case,
        applicant=applicant_in,
        papers=all_papers(ward_case),
    )
    s.dossier_route(actor=desk_officer, dossier=dossier)
    s.dossier_resolve(actor=approver, dossier=dossier, number="1/TL")
    s.dossier_return(actor=desk_officer, dossier=dossier, collected_by="Lê Vĩnh Huỳnh")
    query = {"code": dossier.code, "secret": dossier.lookup_secret}
    page = client.get(reverse("portal:lookup"), query).content.decode()
    assert 'name="level"' in page
    client.post(reverse("portal:lookup_rate"), {**query, "secret": "AAAAAA", "level": "satisfied"})
    assert not Rating.objects.exists()
    client.post(reverse("portal:lookup_rate"), {**query, "level": "satisfied"})
    assert Rating.objects.get().rated_by is None
    with pytest.raises(s.DossierInputError):
        rating_give(dossier=dossier, level="dissatisfied")
    assert 'name="level"' not in client.get(reverse("portal:lookup"), query).content.decode()


def test_a_paper_sent_online_and_accepted_at_the_desk_is_listed_once(
    client, resident, filed, desk_officer
) -> None:
    dossier = s.dossier_receive(actor=desk_officer, dossier=filed)
    s.dossier_request_supplement(
        actor=desk_officer, dossier=dossier, items=["Bản sao sổ hộ khẩu", "Ảnh chân dung"]
    )
    client.force_login(resident)
    url = reverse("portal:supplement", args=[filed.pk])
    client.post(url, {"name": "Bản sao sổ hộ khẩu", "file": pdf(extra=b"s")})
    sent = Dossier.objects.get(pk=filed.pk).components.get(supplement=True)

    # The desk records the paper sent online and one handed in at the counter.
    s.dossier_receive_supplement(
        actor=desk_officer,
        dossier=filed,
        papers=[PaperIn(name="Bản sao sổ hộ khẩu", copies=1), PaperIn(name="Ảnh chân dung")],
    )
    rows = list(Dossier.objects.get(pk=filed.pk).components.filter(supplement=True))
    assert sorted(r.name for r in rows) == ["Bản sao sổ hộ khẩu", "Ảnh chân dung"]
    received = next(r for r in rows if r.name == "Bản sao sổ hộ khẩu")
    # The row received is the upload itself, its file kept.
    assert received.pk == sent.pk and received.file and received.copies == 1
    page = client.get(reverse("portal:dossier", args=[filed.pk])).content.decode()
    listed = page.split('data-testid="supplements"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("Bản sao sổ hộ khẩu") == 1
    assert listed.count("Ảnh chân dung") == 1


def test_collecting_by_post_offers_the_address_the_desk_has(
    client, resident, ward_case, ward_center, desk_officer, applicant_in
) -> None:
    at_desk = taken_at_desk(desk_officer, ward_center, ward_case, applicant_in, resident)
    client.force_login(resident)
    form = client.get(reverse("portal:dossier", args=[at_desk.pk])).context["delivery_form"]
    assert form["address"].value() == applicant_in.address
