"""Filing online through the pages, step by step, as a phone would."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.models import DigitisedPaper, Dossier, DossierComponent, Status
from notify.models import Message
from portal.models import Delivery
from portal.tests.conftest import PDF, pdf

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def start(client, case, ward_center):
    return client.post(
        reverse("portal:file_start", args=[case.pk]),
        {
            "full_name": "Lê Vĩnh Huỳnh",
            "id_number": "054089001234",
            "birth_date": "1989-03-02",
            "sex": "male",
            "address": "12 Nguyễn Thái Học, Phường Một",
            "phone": "0905123456",
            "email": "",
            "ward": "",
            "center": str(ward_center.pk),
        },
    )


def upload(client, dossier, component, file, **headers):
    return client.post(
        reverse("portal:file_papers", args=[dossier.pk]),
        {"action": "upload", "component": str(component.pk), "file": file},
        headers=headers,
    )


def test_filing_online_end_to_end(client, resident, ward_case, ward_center) -> None:
    client.force_login(resident)
    page = client.get(reverse("portal:file_start", args=[ward_case.pk])).content.decode()
    # The form comes prefilled from the profile.
    assert 'value="054089001234"' in page

    response = start(client, ward_case, ward_center)
    draft = Dossier.objects.get()
    assert response["Location"] == reverse("portal:file_papers", args=[draft.pk])
    # Saved as a draft at the first step, tied to the person.
    assert draft.status == Status.DRAFT
    assert draft.created_by == resident
    assert draft.applicant.user == resident
    assert draft.competent_unit.code == "000.01.00.H99"

    form, certificate, _optional = ward_case.components.order_by("position")
    # The page's script sends each file with the htmx header and gets the paper's fragment back.
    response = upload(client, draft, form, pdf("to-khai.pdf"), **HTMX)
    assert response.status_code == 200
    assert f'id="item-{form.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    # A retry of the same file after a lost answer adds nothing.
    assert upload(client, draft, form, pdf("to-khai.pdf"), **HTMX).status_code == 200
    assert draft.components.filter(component=form).count() == 1
    assert DigitisedPaper.objects.filter(applicant=draft.applicant).count() == 1

    # Without the script the same form posts the page and comes back to it.
    response = upload(client, draft, certificate, pdf("giay-ket-hon.pdf", b"2"))
    assert response["Location"] == reverse("portal:file_papers", args=[draft.pk])

    review = reverse("portal:file_review", args=[draft.pk])
    assert "missing" not in client.get(review).content.decode().lower()
    # Not confirmed: nothing submitted, the choice is kept.
    response = client.post(review, {"delivery": "post", "address": "12 Nguyễn Thái Học"})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    response = client.post(review, {"delivery": "online", "address": "", "confirm": "on"})
    assert response["Location"] == reverse("portal:file_done", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.code and len(draft.lookup_secret) == 6
    assert Delivery.objects.get(dossier=draft).channel == "online"
    done = client.get(response["Location"]).content.decode()
    assert draft.code in done and draft.lookup_secret in done
    message = Message.objects.get(key=f"dossier:{draft.code}:submitted")
    assert draft.lookup_secret in message.body and message.to == "0905123456"

    # The receipt's code and secret open the public lookup, no account needed.
    client.logout()
    lookup = client.get(
        reverse("portal:lookup"), {"code": draft.code, "secret": draft.lookup_secret}
    )
    assert lookup.status_code == 200
    assert 'data-testid="status"' in lookup.content.decode()


def test_missing_papers_keep_the_draft(client, resident, ward_case, ward_center) -> None:
    client.force_login(resident)
    start(client, ward_case, ward_center)
    draft = Dossier.objects.get()
    response = client.post(
        reverse("portal:file_review", args=[draft.pk]), {"delivery": "direct", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "Tờ khai" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    # The choice made on the refused submission is kept.
    assert Delivery.objects.get(dossier=draft).channel == "direct"


def test_a_file_that_is_not_a_scan_is_refused_and_not_retried(
    client, resident, ward_case, ward_center
) -> None:
    client.force_login(resident)
    start(client, ward_case, ward_center)
    draft = Dossier.objects.get()
    component = ward_case.components.first()
    bad = SimpleUploadedFile("virus.pdf", b"MZ" + PDF, content_type="application/pdf")
    response = upload(client, draft, component, bad, **HTMX)
    # A 4xx tells the page's script not to try again.
    assert response.status_code == 400
    assert "PDF, JPEG" in response.content.decode()
    assert not DossierComponent.objects.exists()


def test_wallet_paper_reused_instead_of_uploaded(client, resident, ward_case, ward_center) -> None:
    client.force_login(resident)
    start(client, ward_case, ward_center)
    draft = Dossier.objects.get()
    certificate = ward_case.components.get(name_vi="Giấy chứng nhận kết hôn")
    upload(client, draft, certificate, pdf())
    paper = DigitisedPaper.objects.get()
    client.post(
        reverse("portal:file_papers", args=[draft.pk]),
        {"action": "remove", "row": str(draft.components.get().pk)},
    )
    assert not draft.components.exists()
    page = client.get(reverse("portal:file_papers", args=[draft.pk])).content.decode()
    assert "Use my digitised copy" in page or "Dùng bản số hóa" in page
    client.post(
        reverse("portal:file_papers", args=[draft.pk]),
        {"action": "reuse", "component": str(certificate.pk), "paper": str(paper.pk)},
    )
    row = draft.components.get()
    assert row.reused and row.paper == paper


def test_profile_incomplete_asks_for_the_missing_details(
    client, resident, ward_case, ward_center
) -> None:
    client.force_login(resident)
    response = client.post(
        reverse("portal:file_start", args=[ward_case.pk]), {"center": str(ward_center.pk)}
    )
    assert response.status_code == 200
    assert not Dossier.objects.exists()
    assert "field-error" in response.content.decode()


def test_id_number_of_someone_on_file_elsewhere_is_not_taken_over(
    client, resident, neighbour, ward_case, ward_center, desk_officer, applicant_in
) -> None:
    # The desk knows this person with another phone number.
    applicant_in.phone = "0912000000"
    from dossiers.services import applicant_find_or_create

    applicant_find_or_create(data=applicant_in)
    client.force_login(resident)
    response = start(client, ward_case, ward_center)
    assert response.status_code == 200
    assert not Dossier.objects.exists()


def test_who_may_file(client, ward_case, ward_center, desk_officer, resident, neighbour) -> None:
    url = reverse("portal:file_start", args=[ward_case.pk])
    # Anonymous: to the code sign-in, coming back here afterwards.
    response = client.get(url)
    assert response["Location"].startswith(reverse("portal:signin"))
    assert "next=" in response["Location"]
    # Staff accounts are not citizen accounts.
    client.force_login(desk_officer)
    assert client.get(url).status_code == 403
    # Another citizen's draft is not found.
    client.force_login(resident)
    start(client, ward_case, ward_center)
    draft = Dossier.objects.get()
    client.force_login(neighbour)
    assert client.get(reverse("portal:file_papers", args=[draft.pk])).status_code == 404
    assert upload(client, draft, ward_case.components.first(), pdf()).status_code == 404


def test_procedure_at_the_desk_only_cannot_be_filed_online(client, resident, ward_case) -> None:
    version = ward_case.version
    version.online_level = "none"
    version.save()
    client.force_login(resident)
    assert client.get(reverse("portal:file_start", args=[ward_case.pk])).status_code == 404


def test_where_you_live_and_the_deciding_ward_are_two_fields(
    client, resident, ward_case, ward, ward_center, other_center
) -> None:
    """Step 1 asks both; choosing a different deciding ward leaves the profile's ward alone,
    and a mistake elsewhere on the page keeps both choices."""
    ward_two = other_center.parent
    client.force_login(resident)
    page = client.get(reverse("portal:file_start", args=[ward_case.pk])).content.decode()
    assert page.count('name="ward"') == 1
    assert page.count('name="deciding_ward"') == 1

    mistaken = {
        "full_name": "Lê Vĩnh Huỳnh",
        "id_number": "05408900123",  # 11 digits
        "birth_date": "1989-03-02",
        "address": "12 Nguyễn Thái Học, Phường Một",
        "phone": "0905123456",
        "ward": str(ward.pk),
        "deciding_ward": str(ward_two.pk),
        "center": str(ward_center.pk),
    }
    response = client.post(reverse("portal:file_start", args=[ward_case.pk]), mistaken)
    assert response.status_code == 200
    form, place = response.context["form"], response.context["place"]
    assert form["ward"].value() == str(ward.pk)
    assert place["deciding_ward"].value() == str(ward_two.pk)

    response = client.post(
        reverse("portal:file_start", args=[ward_case.pk]),
        {**mistaken, "id_number": "054089001234"},
    )
    assert response.status_code == 302
    draft = Dossier.objects.get()
    assert draft.ward == ward_two
    resident.portal_profile.refresh_from_db()
    assert resident.portal_profile.ward == ward
