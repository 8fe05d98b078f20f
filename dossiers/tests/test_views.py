import pytest
from django.urls import reverse

from dossiers import services as s
from dossiers.tests.fixtures import all_papers

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(desk_officer, ward_center, ward_case, applicant_in):
    return s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=ward_case,
        applicant=applicant_in,
        papers=all_papers(ward_case),
    )


def test_receipt_pdf_for_staff_of_the_unit(client, desk_officer, dossier) -> None:
    client.force_login(desk_officer)
    response = client.get(reverse("dossiers:form_pdf", args=[dossier.code, "01"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_specialist_of_the_deciding_agency_may_print_too(client, specialist, dossier) -> None:
    client.force_login(specialist)
    assert client.get(reverse("dossiers:form_pdf", args=[dossier.code, "06"])).status_code == 200


def test_other_unit_gets_404_and_anonymous_is_sent_to_sign_in(client, outsider, dossier) -> None:
    url = reverse("dossiers:form_pdf", args=[dossier.code, "01"])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_form_that_does_not_apply_is_409(client, desk_officer, dossier) -> None:
    client.force_login(desk_officer)
    response = client.get(reverse("dossiers:form_pdf", args=[dossier.code, "03"]))
    assert response.status_code == 409
    assert client.get(reverse("dossiers:form_pdf", args=[dossier.code, "99"])).status_code == 404
